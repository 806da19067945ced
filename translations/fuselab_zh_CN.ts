<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>Blocks</name>
    <message>
        <source>Attention fusion</source>
        <translation>注意力融合</translation>
    </message>
    <message>
        <source>Audio CNN encoder</source>
        <translation>音频 CNN 编码器</translation>
    </message>
    <message>
        <source>Autoencoder encoder</source>
        <translation>自编码器编码器</translation>
    </message>
    <message>
        <source>Autoencoder joint latent</source>
        <translation>自编码器联合隐空间</translation>
    </message>
    <message>
        <source>Multi-label head</source>
        <translation>多标签分类头</translation>
    </message>
    <message>
        <source>Classification head</source>
        <translation>分类头</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <source>CNN encoder</source>
        <translation>CNN 编码器</translation>
    </message>
    <message>
        <source>Concatenation (early fusion)</source>
        <translation>拼接（早期融合）</translation>
    </message>
    <message>
        <source>Cross-modal attention (MulT)</source>
        <translation>跨模态注意力（MulT）</translation>
    </message>
    <message>
        <source>FiLM conditioning</source>
        <translation>FiLM 条件调制</translation>
    </message>
    <message>
        <source>Gated multimodal unit (GMU)</source>
        <translation>门控多模态单元（GMU）</translation>
    </message>
    <message>
        <source>Image input</source>
        <translation>图像输入</translation>
    </message>
    <message>
        <source>Text input</source>
        <translation>文本输入</translation>
    </message>
    <message>
        <source>Audio input</source>
        <translation>音频输入</translation>
    </message>
    <message>
        <source>Late fusion (decision level)</source>
        <translation>晚期融合（决策层）</translation>
    </message>
    <message>
        <source>Low-rank multimodal fusion (LMF)</source>
        <translation>低秩多模态融合（LMF）</translation>
    </message>
    <message>
        <source>MLP encoder</source>
        <translation>MLP 编码器</translation>
    </message>
    <message>
        <source>ResNet encoder</source>
        <translation>ResNet 编码器</translation>
    </message>
    <message>
        <source>GRU / LSTM encoder</source>
        <translation>GRU / LSTM 编码器</translation>
    </message>
    <message>
        <source>Tensor fusion (TFN)</source>
        <translation>张量融合（TFN）</translation>
    </message>
    <message>
        <source>TorchScript module</source>
        <translation>TorchScript 模块</translation>
    </message>
    <message>
        <source>Transformer encoder</source>
        <translation>Transformer 编码器</translation>
    </message>
    <message>
        <source>1-D convolution encoder</source>
        <translation>一维卷积编码器</translation>
    </message>
    <message>
        <source>a fusion needs at least %1 inputs, it has %2</source>
        <translation>融合至少需要 %1 个输入，现在只有 %2 个</translation>
    </message>
    <message>
        <source>has the wrong type (%1)</source>
        <translation>类型错误（%1）</translation>
    </message>
    <message>
        <source>is %1, must be from %2 to %3</source>
        <translation>是 %1，必须在 %2 到 %3 之间</translation>
    </message>
    <message>
        <source>is &quot;%1&quot;, must be one of: %2</source>
        <translation>是“%1”，必须是以下之一：%2</translation>
    </message>
    <message>
        <source>is not an option of %1</source>
        <translation>不是 %1 的选项</translation>
    </message>
    <message>
        <source>spectrogram %1x%2 too small for %3 pooling layers (needs %4 mels and frames)</source>
        <translation>频谱图 %1x%2 太小，无法做 %3 层池化（梅尔带数和帧数都需要 %4）</translation>
    </message>
    <message>
        <source>the experiment lists no classes (dataset.classes)</source>
        <translation>实验没有列出类别（dataset.classes）</translation>
    </message>
    <message>
        <source>the dataset is multi-label (a sample may have several classes): use head.multilabel</source>
        <translation>数据集是多标签的（一个样本可有多个类别）：请使用 head.multilabel</translation>
    </message>
    <message>
        <source>the dataset has one class per sample: use head.classification</source>
        <translation>数据集每个样本只有一个类别：请使用 head.classification</translation>
    </message>
    <message>
        <source>receives %1 but the dataset has %2 classes</source>
        <translation>收到 %1，但数据集有 %2 个类别</translation>
    </message>
    <message>
        <source>must be odd so that convolutions keep the size</source>
        <translation>必须是奇数，卷积才能保持尺寸</translation>
    </message>
    <message>
        <source>image %1x%2 is too small for %3 pooling layers (needs at least %4x%4); use fewer layers</source>
        <translation>图像 %1x%2 太小，无法做 %3 层池化（至少需要 %4x%4）；请减少层数</translation>
    </message>
    <message>
        <source>must be odd so that the sequence keeps its length</source>
        <translation>必须是奇数，序列才能保持长度</translation>
    </message>
    <message>
        <source>heads must divide d_model, and d_model must be even</source>
        <translation>heads 必须整除 d_model，且 d_model 必须是偶数</translation>
    </message>
    <message>
        <source>the dataset has no %1 column</source>
        <translation>数据集没有 %1 列</translation>
    </message>
    <message>
        <source>the dataset has no %1 column named &quot;%2&quot;</source>
        <translation>数据集没有名为“%2”的 %1 列</translation>
    </message>
    <message>
        <source>no preprocessing settings to take the input shape from</source>
        <translation>没有预处理设置，无法得到输入形状</translation>
    </message>
    <message>
        <source>preprocessing.image.channels is 0 (decided from the data); set it to 1 or 3 so the graph can be checked before reading data (a new experiment does this from the data)</source>
        <translation>preprocessing.image.channels 为 0（由数据决定）；请设为 1 或 3，以便在读取数据前检查图（新建实验时会根据数据自动设置）</translation>
    </message>
    <message>
        <source>must be comma-separated numbers</source>
        <translation>必须是逗号分隔的数字</translation>
    </message>
    <message>
        <source>%1 weights for %2 inputs</source>
        <translation>%1 个权重对应 %2 个输入</translation>
    </message>
    <message>
        <source>weights must be positive</source>
        <translation>权重必须为正数</translation>
    </message>
    <message>
        <source>image too small for %1 stages (needs at least %2x%2)</source>
        <translation>图像太小，无法做 %1 个阶段（至少需要 %2x%2）</translation>
    </message>
    <message>
        <source>the outer product would have %1 features per sample (limit %2); set proj_dim (e.g. 32) or use fusion.low_rank</source>
        <translation>外积会使每个样本有 %1 个特征（上限 %2）；请设置 proj_dim（例如 32）或改用 fusion.low_rank</translation>
    </message>
    <message>
        <source>name the TorchScript file</source>
        <translation>请指定 TorchScript 文件</translation>
    </message>
    <message>
        <source>the module returns %1-D output; it must return [B, d] or [B, t, d]</source>
        <translation>模块输出是 %1 维的；必须是 [B, d] 或 [B, t, d]</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1 heads do not divide d_model = %2</source>
        <translation>%1 个头不能整除 d_model = %2</translation>
    </message>
    <message>
        <source>must be even (sinusoidal positions pair sines and cosines)</source>
        <translation>必须是偶数（正弦位置编码成对使用正弦和余弦）</translation>
    </message>
    <message>
        <source>the module returns neither a tensor nor a tuple, list or dictionary of tensors</source>
        <translation>该模块返回的既不是张量，也不是张量的元组、列表或字典</translation>
    </message>
    <message>
        <source>output &quot;pooled&quot; needs the module to return a second tensor (BERT&apos;s pooler output)</source>
        <translation>输出“pooled”需要模块返回第二个张量（BERT 的池化输出）</translation>
    </message>
    <message>
        <source>ids_mask needs token ids: connect a text input</source>
        <translation>ids_mask 需要词元编号：请连接一个文本输入</translation>
    </message>
    <message>
        <source>Attention bottlenecks (MBT)</source>
        <translation>注意力瓶颈（MBT）</translation>
    </message>
    <message>
        <source>the dataset&apos;s labels are numbers (regression): use head.regression</source>
        <translation>数据集的标签是数值（回归）：请使用 head.regression</translation>
    </message>
    <message>
        <source>late fusion averages class scores; for a number (regression) fuse the features (concat, attention, gated) and end with head.regression</source>
        <translation>后期融合对类别得分取平均；要预测数值（回归），请融合特征（concat、attention、gated）并以 head.regression 结尾</translation>
    </message>
    <message>
        <source>Regression head</source>
        <translation>回归头</translation>
    </message>
    <message>
        <source>the dataset&apos;s labels are classes, not numbers: use head.classification or head.multilabel</source>
        <translation>数据集的标签是类别而不是数值：请使用 head.classification 或 head.multilabel</translation>
    </message>
    <message>
        <source>the dataset&apos;s labels are texts to produce (a sequence task): use head.rnn_decoder, head.transformer_decoder or head.ctc</source>
        <translation>数据集的标签是要生成的文本（序列任务）：请使用 head.rnn_decoder、head.transformer_decoder 或 head.ctc</translation>
    </message>
    <message>
        <source>receives %1, a sequence, but the dataset&apos;s labels are not texts</source>
        <translation>收到 %1（一个序列），但数据集的标签不是文本</translation>
    </message>
    <message>
        <source>receives %1 but the target vocabulary has %2 tokens</source>
        <translation>收到 %1，但目标词表有 %2 个词元</translation>
    </message>
    <message>
        <source>this head produces a text, and the dataset&apos;s labels are %1: use head.classification, head.multilabel or head.regression</source>
        <translation>这个输出头生成文本，而数据集的标签是 %1：请使用 head.classification、head.multilabel 或 head.regression</translation>
    </message>
    <message>
        <source>the experiment has no target vocabulary (dataset.classes)</source>
        <translation>实验没有目标词表（dataset.classes）</translation>
    </message>
    <message>
        <source>RNN decoder</source>
        <translation>RNN 解码器</translation>
    </message>
    <message>
        <source>Transformer decoder</source>
        <translation>Transformer 解码器</translation>
    </message>
    <message>
        <source>CTC head</source>
        <translation>CTC 输出头</translation>
    </message>
    <message>
        <source>needs exactly one time sequence (and any number of vectors)</source>
        <translation>需要恰好一个时间序列（以及任意数量的向量）</translation>
    </message>
</context>
<context>
    <name>Cache</name>
    <message>
        <source>could not be decoded</source>
        <translation>无法解码</translation>
    </message>
    <message>
        <source>augmentation settings: %1</source>
        <translation>数据增强设置：%1</translation>
    </message>
    <message>
        <source>augmentation &quot;crop_padding&quot; must be 0 to 256</source>
        <translation>数据增强的“crop_padding”必须在 0 到 256 之间</translation>
    </message>
    <message>
        <source>augmentation &quot;flip&quot; must be a probability in [0, 1]</source>
        <translation>数据增强的“flip”必须是 [0, 1] 之间的概率</translation>
    </message>
    <message>
        <source>augmentation &quot;rotation_deg&quot; must be 0 to 180</source>
        <translation>数据增强的“rotation_deg”必须在 0 到 180 之间</translation>
    </message>
    <message>
        <source>augmentation &quot;brightness&quot; must be 0 to 1</source>
        <translation>数据增强的“brightness”必须在 0 到 1 之间</translation>
    </message>
    <message>
        <source>augmentation &quot;contrast&quot; must be 0 to 1</source>
        <translation>数据增强的“contrast”必须在 0 到 1 之间</translation>
    </message>
    <message>
        <source>preprocessing setting &quot;%1&quot; has the wrong type (%2)</source>
        <translation>预处理设置“%1”的类型不对（%2）</translation>
    </message>
    <message>
        <source>preprocessing setting &quot;%1&quot;: %2</source>
        <translation>预处理设置“%1”：%2</translation>
    </message>
    <message>
        <source>preprocessing settings must be a JSON object</source>
        <translation>预处理设置必须是 JSON 对象</translation>
    </message>
    <message>
        <source>must be &quot;stretch&quot; or &quot;pad&quot;</source>
        <translation>必须是“stretch”或“pad”</translation>
    </message>
    <message>
        <source>must be between 1 and 4096</source>
        <translation>必须在 1 到 4096 之间</translation>
    </message>
    <message>
        <source>must be 0 (from the data), 1 or 3</source>
        <translation>必须是 0（由数据决定）、1 或 3</translation>
    </message>
    <message>
        <source>must be positive</source>
        <translation>必须为正数</translation>
    </message>
    <message>
        <source>must be 1000 to 384000</source>
        <translation>必须在 1000 到 384000 之间</translation>
    </message>
    <message>
        <source>must be in (0, 600]</source>
        <translation>必须在 (0, 600] 之内</translation>
    </message>
    <message>
        <source>must be 16 to 16384</source>
        <translation>必须在 16 到 16384 之间</translation>
    </message>
    <message>
        <source>must be 1 to 512</source>
        <translation>必须在 1 到 512 之间</translation>
    </message>
    <message>
        <source>must not exceed n_fft</source>
        <translation>不能超过 n_fft</translation>
    </message>
    <message>
        <source>need 0 &lt;= f_min &lt; f_max &lt;= sample_rate/2</source>
        <translation>需要 0 &lt;= f_min &lt; f_max &lt;= sample_rate/2</translation>
    </message>
    <message>
        <source>must be 1 to 8192</source>
        <translation>必须在 1 到 8192 之间</translation>
    </message>
    <message>
        <source>must be at least 3</source>
        <translation>至少为 3</translation>
    </message>
    <message>
        <source>must be &quot;unigram&quot; or &quot;bpe&quot;</source>
        <translation>必须是“unigram”或“bpe”</translation>
    </message>
    <message>
        <source>must be at least 8</source>
        <translation>至少为 8</translation>
    </message>
    <message>
        <source>%1: unknown dtype &quot;%2&quot;</source>
        <translation>%1：未知的数据类型“%2”</translation>
    </message>
    <message>
        <source>%1: %2 bytes, expected %3 (incomplete or corrupt cache; delete the folder to rebuild it)</source>
        <translation>%1：%2 字节，应为 %3 字节（缓存不完整或已损坏；删除该文件夹即可重建）</translation>
    </message>
    <message>
        <source>%1: not a FuseLab tensor cache (no readable meta.json)</source>
        <translation>%1：不是 FuseLab 张量缓存（没有可读取的 meta.json）</translation>
    </message>
    <message>
        <source>%1: not a FuseLab tensor cache description</source>
        <translation>%1：不是 FuseLab 张量缓存的描述文件</translation>
    </message>
    <message>
        <source>%1: cache format version %2, this FuseLab reads version %3; rebuild the cache</source>
        <translation>%1：缓存格式版本为 %2，此版本的 FuseLab 读取版本 %3；请重建缓存</translation>
    </message>
    <message>
        <source>%1: unknown modality in column %2</source>
        <translation>%1：列 %2 的模态未知</translation>
    </message>
    <message>
        <source>%1: malformed (%2)</source>
        <translation>%1：格式错误（%2）</translation>
    </message>
    <message>
        <source>%1: no samples to preprocess</source>
        <translation>%1：没有可预处理的样本</translation>
    </message>
    <message>
        <source>cannot create the cache folder %1: %2 (choose a writable cache folder)</source>
        <translation>无法创建缓存文件夹 %1：%2（请选择一个可写的缓存文件夹）</translation>
    </message>
    <message>
        <source>cannot create %1: %2</source>
        <translation>无法创建 %1：%2</translation>
    </message>
    <message>
        <source>cannot move the finished cache into %1: %2</source>
        <translation>无法把完成的缓存移动到 %1：%2</translation>
    </message>
    <message>
        <source>augmentation &quot;%1&quot; must be %2 to %3</source>
        <translation>数据增强“%1”必须在 %2 到 %3 之间</translation>
    </message>
    <message>
        <source>must be &quot;word&quot;, &quot;char&quot;, &quot;sentencepiece&quot; or &quot;wordpiece&quot;</source>
        <translation>必须是“word”“char”“sentencepiece”或“wordpiece”</translation>
    </message>
    <message>
        <source>%1: column %2 has a damaged normalisation (mean and std)</source>
        <translation>%1：列 %2 的归一化参数（均值和标准差）已损坏</translation>
    </message>
    <message>
        <source>%1: a cache of the task &quot;%2&quot;, which this version cannot train</source>
        <translation>%1：任务为“%2”的缓存，此版本无法训练</translation>
    </message>
    <message>
        <source>must be &quot;word&quot; or &quot;char&quot;</source>
        <translation>必须是“word”或“char”</translation>
    </message>
    <message>
        <source>must be 1 to 1024</source>
        <translation>必须在 1 到 1024 之间</translation>
    </message>
    <message>
        <source>must be at least 1</source>
        <translation>至少为 1</translation>
    </message>
    <message>
        <source>must be at least 5</source>
        <translation>至少为 5</translation>
    </message>
    <message>
        <source>%1: a damaged sequence target description</source>
        <translation>%1：序列目标的描述已损坏</translation>
    </message>
    <message>
        <source>%1: line %2 is not a JSON string (incomplete or corrupt cache; delete the folder to rebuild it)</source>
        <translation>%1：第 %2 行不是 JSON 字符串（缓存不完整或已损坏；删除该文件夹即可重建）</translation>
    </message>
    <message>
        <source>%1: %2 target texts, expected %3 (incomplete or corrupt cache; delete the folder to rebuild it)</source>
        <translation>%1：有 %2 条目标文本，应为 %3 条（缓存不完整或已损坏；删除该文件夹即可重建）</translation>
    </message>
    <message>
        <source>%1: a token id outside the vocabulary (corrupt cache; delete the folder to rebuild it)</source>
        <translation>%1：有超出词表的词元编号（缓存已损坏；删除该文件夹即可重建）</translation>
    </message>
    <message>
        <source>%1 target texts are longer than target.max_length (%2 tokens) and were truncated to it; raise target.max_length to keep them whole</source>
        <translation>%1 条目标文本长于 target.max_length（%2 个词元），已被截断；调大 target.max_length 可保留完整文本</translation>
    </message>
</context>
<context>
    <name>DataReading</name>
    <message>
        <source>unterminated quoted field (the quote opened on line %1 is never closed)</source>
        <translation>引号字段未结束（第 %1 行开始的引号没有闭合）</translation>
    </message>
    <message>
        <source>(none)</source>
        <translation>（无）</translation>
    </message>
    <message>
        <source>%1: no such file or folder</source>
        <translation>%1：文件或文件夹不存在</translation>
    </message>
    <message>
        <source>%1: not a dataset; point at a folder, or at a .csv or .jsonl manifest</source>
        <translation>%1：不是数据集；请指定一个文件夹，或 .csv、.jsonl 清单</translation>
    </message>
    <message>
        <source>%1: not a regular file or folder</source>
        <translation>%1：不是普通文件或文件夹</translation>
    </message>
    <message>
        <source>only one class (&quot;%1&quot;): a classifier needs at least two</source>
        <translation>只有一个类别（“%1”）：分类器至少需要两个类别</translation>
    </message>
    <message>
        <source>class &quot;%1&quot; has no training samples (it appears only in val/test): the model cannot learn it</source>
        <translation>类别“%1”没有训练样本（只出现在 val/test 中）：模型无法学到它</translation>
    </message>
    <message>
        <source>another image file with the same name (%1) is already this sample&apos;s; skipped</source>
        <translation>该样本已有同名的图像文件（%1）；已跳过</translation>
    </message>
    <message>
        <source>another audio file with the same name (%1) is already this sample&apos;s; skipped</source>
        <translation>该样本已有同名的音频文件（%1）；已跳过</translation>
    </message>
    <message>
        <source>another text file with the same name (%1) is already this sample&apos;s; skipped</source>
        <translation>该样本已有同名的文本文件（%1）；已跳过</translation>
    </message>
    <message>
        <source>cannot open folder; skipped</source>
        <translation>无法打开文件夹；已跳过</translation>
    </message>
    <message>
        <source>symbolic link loop (folder already visited); skipped</source>
        <translation>符号链接形成循环（文件夹已访问过）；已跳过</translation>
    </message>
    <message>
        <source>folders nested more than 32 deep; skipped</source>
        <translation>文件夹嵌套超过 32 层；已跳过</translation>
    </message>
    <message>
        <source>cannot list folder: %1</source>
        <translation>无法列出文件夹内容：%1</translation>
    </message>
    <message>
        <source>broken link or unreadable entry; skipped</source>
        <translation>链接已损坏或条目无法读取；已跳过</translation>
    </message>
    <message>
        <source>%1: cannot list folder: %2</source>
        <translation>%1：无法列出文件夹内容：%2</translation>
    </message>
    <message>
        <source>folder beside train/val/test is not a split; ignored</source>
        <translation>与 train/val/test 并列的文件夹不是划分；已忽略</translation>
    </message>
    <message>
        <source>file is not inside a class folder; ignored</source>
        <translation>文件不在类别文件夹中；已忽略</translation>
    </message>
    <message>
        <source>unknown extension &quot;%1&quot; (not an image, audio or .txt file); skipped</source>
        <translation>未知的扩展名“%1”（不是图像、音频或 .txt 文件）；已跳过</translation>
    </message>
    <message>
        <source>refused: %1</source>
        <translation>已拒绝：%1</translation>
    </message>
    <message>
        <source>class folder &quot;%1&quot; holds no usable files</source>
        <translation>类别文件夹“%1”中没有可用的文件</translation>
    </message>
    <message>
        <source>cannot open %1</source>
        <translation>无法打开 %1</translation>
    </message>
    <message>
        <source>%1: decompresses to more than 8 GiB; refused</source>
        <translation>%1：解压后超过 8 GiB；已拒绝</translation>
    </message>
    <message>
        <source>%1: corrupt gzip data (%2)</source>
        <translation>%1：gzip 数据已损坏（%2）</translation>
    </message>
    <message>
        <source>%1: too short to be an IDX file</source>
        <translation>%1：太短，不是 IDX 文件</translation>
    </message>
    <message>
        <source>%1: not an IDX file (bad magic number)</source>
        <translation>%1：不是 IDX 文件（魔数错误）</translation>
    </message>
    <message>
        <source>%1: IDX element type 0x%2 is not supported (only unsigned bytes)</source>
        <translation>%1：不支持 IDX 元素类型 0x%2（只支持无符号字节）</translation>
    </message>
    <message>
        <source>%1: IDX header is truncated or has %2 dimensions</source>
        <translation>%1：IDX 头部被截断，或维数为 %2</translation>
    </message>
    <message>
        <source>%1: header promises %2 bytes of data but the file holds %3 (truncated or corrupt)</source>
        <translation>%1：头部声明有 %2 字节数据，但文件中只有 %3 字节（被截断或已损坏）</translation>
    </message>
    <message>
        <source>%1: no IDX images/labels pair (e.g. train-images-idx3-ubyte.gz + train-labels-idx1-ubyte.gz)</source>
        <translation>%1：没有成对的 IDX 图像/标签文件（例如 train-images-idx3-ubyte.gz + train-labels-idx1-ubyte.gz）</translation>
    </message>
    <message>
        <source>%1; pair skipped</source>
        <translation>%1；已跳过这对文件</translation>
    </message>
    <message>
        <source>expected 3-D images and 1-D labels; pair skipped</source>
        <translation>应为三维图像和一维标签；已跳过这对文件</translation>
    </message>
    <message>
        <source>%1 labels for %2 images; pair skipped</source>
        <translation>%1 个标签对应 %2 张图像；已跳过这对文件</translation>
    </message>
    <message>
        <source>image size differs from the other IDX files; pair skipped</source>
        <translation>图像尺寸与其他 IDX 文件不同；已跳过这对文件</translation>
    </message>
    <message>
        <source>%1: no readable IDX images/labels pair</source>
        <translation>%1：没有可读取的 IDX 图像/标签文件对</translation>
    </message>
    <message>
        <source>%1:%2: %3</source>
        <translation>%1:%2：%3</translation>
    </message>
    <message>
        <source>%1: the manifest is empty (no header row)</source>
        <translation>%1：清单是空的（没有表头行）</translation>
    </message>
    <message>
        <source>row has %1 fields but the header has %2; row skipped</source>
        <translation>该行有 %1 个字段，但表头有 %2 个；已跳过该行</translation>
    </message>
    <message>
        <source>not valid JSON; row skipped</source>
        <translation>不是有效的 JSON；已跳过该行</translation>
    </message>
    <message>
        <source>not a JSON object; row skipped</source>
        <translation>不是 JSON 对象；已跳过该行</translation>
    </message>
    <message>
        <source>label list holds %1 (class names must be non-empty strings or integers without &quot;;&quot;); row skipped</source>
        <translation>标签列表中有 %1（类别名必须是不含“;”的非空字符串或整数）；已跳过该行</translation>
    </message>
    <message>
        <source>field &quot;%1&quot; is not a string, number or null; row skipped</source>
        <translation>字段“%1”不是字符串、数字或 null；已跳过该行</translation>
    </message>
    <message>
        <source>%1: not valid UTF-8 (byte %2); save the manifest as UTF-8</source>
        <translation>%1：不是有效的 UTF-8（第 %2 字节）；请把清单保存为 UTF-8</translation>
    </message>
    <message>
        <source>%1: no &quot;%2&quot; column (columns are: %3); say which column holds the labels</source>
        <translation>%1：没有“%2”列（现有列：%3）；请指定哪一列是标签</translation>
    </message>
    <message>
        <source>%1: a type is given for the column &quot;%2&quot;, but there is no column of that name</source>
        <translation>%1：为列“%2”指定了类型，但没有这一列</translation>
    </message>
    <message>
        <source>%1: no modality columns besides &quot;%2&quot;</source>
        <translation>%1：除“%2”外没有模态列</translation>
    </message>
    <message>
        <source>empty label; row skipped</source>
        <translation>标签为空；已跳过该行</translation>
    </message>
    <message>
        <source>unknown split &quot;%1&quot; (use train, val or test); row skipped</source>
        <translation>未知的划分“%1”（请用 train、val 或 test）；已跳过该行</translation>
    </message>
    <message>
        <source>unknown image extension &quot;%1&quot; in column &quot;%2&quot;; treated as missing</source>
        <translation>列“%2”中的图像扩展名“%1”无法识别；按缺失处理</translation>
    </message>
    <message>
        <source>unknown audio extension &quot;%1&quot; in column &quot;%2&quot;; treated as missing</source>
        <translation>列“%2”中的音频扩展名“%1”无法识别；按缺失处理</translation>
    </message>
    <message>
        <source>refused: %1; treated as missing</source>
        <translation>已拒绝：%1；按缺失处理</translation>
    </message>
    <message>
        <source>row has no usable modality; row skipped</source>
        <translation>该行没有可用的模态；已跳过该行</translation>
    </message>
    <message>
        <source>%1 rows have no split; they were put in train</source>
        <translation>%1 行没有指定划分；已归入 train</translation>
    </message>
    <message>
        <source>path leads outside the dataset folder %1</source>
        <translation>路径指向数据集文件夹 %1 之外</translation>
    </message>
    <message>
        <source>path is a link to %1, outside the dataset folder</source>
        <translation>路径是指向 %1 的链接，位于数据集文件夹之外</translation>
    </message>
    <message>
        <source>split fractions must be positive (train &gt; 0, val &gt;= 0, test &gt;= 0)</source>
        <translation>划分比例必须为正（train &gt; 0，val &gt;= 0，test &gt;= 0）</translation>
    </message>
    <message>
        <source>%1: --task %2 needs a manifest (CSV or JSONL); a %3 dataset is always classification</source>
        <translation>%1：--task %2 需要清单文件（CSV 或 JSONL）；%3 数据集总是分类任务</translation>
    </message>
    <message>
        <source>labels list several classes (&quot;%1&quot; in CSV, lists in JSONL)</source>
        <translation>标签列出了多个类别（CSV 中用“%1”，JSONL 中用列表）</translation>
    </message>
    <message>
        <source>%1 of the %2 labels are numbers, %3 of them not whole numbers</source>
        <translation>%2 个标签中有 %1 个是数值，其中 %3 个不是整数</translation>
    </message>
    <message>
        <source>%1 of the %2 labels are distinct and %3 have several words: texts to produce</source>
        <translation>%2 个标签中有 %1 个互不相同，%3 个含有多个词：是要生成的文本</translation>
    </message>
    <message>
        <source>%1 distinct labels, each a class</source>
        <translation>%1 个不同的标签，每个是一个类别</translation>
    </message>
    <message>
        <source>given with --task</source>
        <translation>由 --task 指定</translation>
    </message>
    <message>
        <source>label &quot;%1&quot; is not a finite number; row skipped</source>
        <translation>标签“%1”不是有限数值；已跳过该行</translation>
    </message>
    <message>
        <source>empty target text; row skipped</source>
        <translation>目标文本为空；已跳过该行</translation>
    </message>
    <message>
        <source>a sequence target vocabulary must start with &lt;pad&gt;, &lt;unk&gt;, &lt;bos&gt; and &lt;eos&gt;</source>
        <translation>序列目标词表必须以 &lt;pad&gt;、&lt;unk&gt;、&lt;bos&gt; 和 &lt;eos&gt; 开头</translation>
    </message>
</context>
<context>
    <name>Distributed</name>
    <message>
        <source>distributed launch: %1 is not set</source>
        <translation>分布式启动：未设置 %1</translation>
    </message>
    <message>
        <source>distributed launch: %1 is &quot;%2&quot;, not a number</source>
        <translation>分布式启动：%1 为“%2”，不是数字</translation>
    </message>
    <message>
        <source>distributed launch: rank %1 is not below the world size %2</source>
        <translation>分布式启动：进程序号 %1 不小于进程总数 %2</translation>
    </message>
    <message>
        <source>distributed launch: MASTER_ADDR is not set (the host of rank 0; under SLURM: export MASTER_ADDR=$(scontrol show hostnames &quot;$SLURM_JOB_NODELIST&quot; | head -n 1))</source>
        <translation>分布式启动：未设置 MASTER_ADDR（0 号进程所在主机；在 SLURM 下：export MASTER_ADDR=$(scontrol show hostnames &quot;$SLURM_JOB_NODELIST&quot; | head -n 1)）</translation>
    </message>
    <message>
        <source>distributed launch: MASTER_PORT %1 is not a port</source>
        <translation>分布式启动：MASTER_PORT %1 不是有效端口</translation>
    </message>
    <message>
        <source>FUSELAB_DISTRIBUTED_TIMEOUT is &quot;%1&quot;, not a number of seconds</source>
        <translation>FUSELAB_DISTRIBUTED_TIMEOUT 为“%1”，不是秒数</translation>
    </message>
    <message>
        <source>distributed training stopped on rank %1 of %2: the %3 with the other ranks failed (%4); another rank has probably failed or stopped: see its output</source>
        <translation>分布式训练在第 %1 号进程（共 %2 个）上停止：与其他进程的 %3 失败（%4）；可能是另一个进程出错或已停止，请查看其输出</translation>
    </message>
    <message>
        <source>rank %1 could not reach the rendezvous store at %2:%3: %4</source>
        <translation>%1 号进程无法连接位于 %2:%3 的汇合存储：%4</translation>
    </message>
    <message>
        <source>this FuseLab was built without NCCL, which distributed training on CUDA needs (rebuild where nccl.h is found, or train the ranks on the CPU)</source>
        <translation>此 FuseLab 构建时未包含 NCCL，而在 CUDA 上进行分布式训练需要它（请在能找到 nccl.h 的环境中重新构建，或让各进程在 CPU 上训练）</translation>
    </message>
    <message>
        <source>rank %1 could not join the process group: %2</source>
        <translation>%1 号进程无法加入进程组：%2</translation>
    </message>
    <message>
        <source>this FuseLab was built without distributed training (LibTorch&apos;s c10d and gloo&apos;s headers were not found when it was built; see docs/distributed.md)</source>
        <translation>此 FuseLab 构建时未包含分布式训练（构建时未找到 LibTorch 的 c10d 或 gloo 的头文件；见 docs/distributed.md）</translation>
    </message>
    <message>
        <source>this FuseLab was built without Gloo, which distributed training on the CPU needs (its headers were not found when it was built); train the ranks on CUDA</source>
        <translation>此 FuseLab 构建时未包含 Gloo，而在 CPU 上进行分布式训练需要它（构建时未找到其头文件）；请让各进程在 CUDA 上训练</translation>
    </message>
</context>
<context>
    <name>Experiment</name>
    <message>
        <source>fuselab_experiment: version %1 is not one this FuseLab reads (it reads 1 to %2)</source>
        <translation>fuselab_experiment：此版本的 FuseLab 无法读取版本 %1（可读取 1 到 %2）</translation>
    </message>
    <message>
        <source>%1: not valid JSON</source>
        <translation>%1：不是有效的 JSON</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
</context>
<context>
    <name>Export</name>
    <message>
        <source>unknown export format &quot;%1&quot; (formats: safetensors, torchscript, onnx, pytorch, all)</source>
        <translation>未知的导出格式“%1”（格式：safetensors、torchscript、onnx、pytorch、all）</translation>
    </message>
    <message>
        <source>name the folder to export into</source>
        <translation>请指定导出到的文件夹</translation>
    </message>
    <message>
        <source>%1 has no best checkpoint yet: train it for at least one epoch first</source>
        <translation>%1 还没有最佳检查点：请先训练至少一轮</translation>
    </message>
    <message>
        <source>the run&apos;s tensor cache %1 is gone; it holds the normalisation and tokenizers the export needs (fuselab-cli cache EXPERIMENT rebuilds it)</source>
        <translation>该运行的张量缓存 %1 已不存在；导出需要其中的归一化参数和分词器（可用 fuselab-cli cache EXPERIMENT 重建）</translation>
    </message>
    <message>
        <source>%1 already exists and is not empty; choose another folder or allow overwriting</source>
        <translation>%1 已存在且不为空；请选择其他文件夹或允许覆盖</translation>
    </message>
    <message>
        <source>block %1 (%2) cannot be exported to TorchScript: %3</source>
        <translation>模块 %1（%2）无法导出为 TorchScript：%3</translation>
    </message>
    <message>
        <source>%1 cannot be an export folder: name a folder of its own</source>
        <translation>%1 不能作为导出文件夹：请指定一个单独的文件夹</translation>
    </message>
    <message>
        <source>%1 is not a FuseLab export (it has no FuseLab preprocessing.json): FuseLab replaces only its own exports; choose an empty or new folder</source>
        <translation>%1 不是 FuseLab 的导出（没有 FuseLab 的 preprocessing.json）：FuseLab 只替换自己的导出；请选择空文件夹或新文件夹</translation>
    </message>
    <message>
        <source>block %1 (%2) cannot be exported to ONNX: %3</source>
        <translation>模块 %1（%2）无法导出为 ONNX：%3</translation>
    </message>
    <message>
        <source>block %1 (%2) cannot be exported as PyTorch code: %3</source>
        <translation>模块 %1（%2）无法导出为 PyTorch 代码：%3</translation>
    </message>
    <message>
        <source>%1 export is not available in this version of FuseLab yet (it writes: safetensors, torchscript, onnx, pytorch)</source>
        <translation>此版本的 FuseLab 尚不能导出 %1（可导出：safetensors、torchscript、onnx、pytorch）</translation>
    </message>
    <message>
        <source>name a format to export (safetensors, torchscript, onnx, pytorch, or all)</source>
        <translation>请指定导出格式（safetensors、torchscript、onnx、pytorch 或 all）</translation>
    </message>
</context>
<context>
    <name>Files</name>
    <message>
        <source>cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>cannot stat %1: %2</source>
        <translation>无法获取 %1 的文件信息：%2</translation>
    </message>
    <message>
        <source>cannot read %1: it is a folder</source>
        <translation>无法读取 %1：它是文件夹</translation>
    </message>
    <message>
        <source>refusing to read %1: %2 bytes is over the limit of %3</source>
        <translation>拒绝读取 %1：%2 字节超过了上限 %3</translation>
    </message>
    <message>
        <source>cannot read %1: %2</source>
        <translation>无法读取 %1：%2</translation>
    </message>
    <message>
        <source>cannot create %1: %2</source>
        <translation>无法创建 %1：%2</translation>
    </message>
    <message>
        <source>cannot write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>cannot flush %1: %2</source>
        <translation>无法将 %1 写入磁盘：%2</translation>
    </message>
    <message>
        <source>cannot rename onto %1: %2</source>
        <translation>无法重命名为 %1：%2</translation>
    </message>
    <message>
        <source>cannot map %1: %2</source>
        <translation>无法内存映射 %1：%2</translation>
    </message>
    <message>
        <source>cannot size %1: %2</source>
        <translation>无法设置 %1 的大小：%2</translation>
    </message>
    <message>
        <source>cannot flush mapped file: %1</source>
        <translation>无法将映射文件写入磁盘：%1</translation>
    </message>
</context>
<context>
    <name>FusionModel</name>
    <message>
        <source>%1 does not fit this model&apos;s graph: %2</source>
        <translation>%1 与此模型的图不匹配：%2</translation>
    </message>
</context>
<context>
    <name>GraphAnalysis</name>
    <message>
        <source>unknown block type &quot;%1&quot;</source>
        <translation>未知的模块类型“%1”</translation>
    </message>
    <message>
        <source>edge from a node that does not exist</source>
        <translation>连线的起点模块不存在</translation>
    </message>
    <message>
        <source>no such output port (outputs: %1)</source>
        <translation>没有这个输出端口（输出端口：%1）</translation>
    </message>
    <message>
        <source>edge to a node that does not exist</source>
        <translation>连线的终点模块不存在</translation>
    </message>
    <message>
        <source>no such input port (inputs: %1)</source>
        <translation>没有这个输入端口（输入端口：%1）</translation>
    </message>
    <message>
        <source>takes one connection, but has several</source>
        <translation>只能接一条连线，却接了多条</translation>
    </message>
    <message>
        <source>is connected to its own output (a cycle)</source>
        <translation>连到了自己的输出（形成环）</translation>
    </message>
    <message>
        <source>the graph has a cycle through: %1</source>
        <translation>图中有环，经过：%1</translation>
    </message>
    <message>
        <source>is not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <source>receives %1 from %2 but accepts %3</source>
        <translation>从 %2 收到 %1，但只接受 %3</translation>
    </message>
    <message>
        <source>the graph has no &quot;output&quot; block: connect the classifier&apos;s logits to one</source>
        <translation>图中没有“输出”模块：请把分类器的 logits 连到一个输出模块</translation>
    </message>
    <message>
        <source>the graph has %1 &quot;output&quot; blocks; it needs exactly one</source>
        <translation>图中有 %1 个“输出”模块，只能有一个</translation>
    </message>
</context>
<context>
    <name>GraphModel</name>
    <message>
        <source>there is no block type &quot;%1&quot;</source>
        <translation>没有“%1”这种模块类型</translation>
    </message>
    <message>
        <source>there is no block %1</source>
        <translation>没有模块 %1</translation>
    </message>
    <message>
        <source>a block needs an id</source>
        <translation>模块需要一个 id</translation>
    </message>
    <message>
        <source>the id %1 is used by another block</source>
        <translation>id %1 已被另一个模块使用</translation>
    </message>
    <message>
        <source>%1 is already connected to %2</source>
        <translation>%1 已经连到 %2</translation>
    </message>
    <message>
        <source>%1 is not connected to %2</source>
        <translation>%1 没有连到 %2</translation>
    </message>
    <message>
        <source>%1 has no option &quot;%2&quot;</source>
        <translation>%1 没有选项“%2”</translation>
    </message>
    <message>
        <source>%1: %2 %3</source>
        <translation>%1：%2 %3</translation>
    </message>
    <message>
        <source>a block&apos;s name cannot be empty</source>
        <translation>模块名称不能为空</translation>
    </message>
    <message>
        <source>another block is already called &quot;%1&quot;</source>
        <translation>已有另一个模块叫“%1”</translation>
    </message>
    <message>
        <source>unknown edit</source>
        <translation>未知的编辑操作</translation>
    </message>
    <message>
        <source>set its %1 to %2</source>
        <translation>把它的 %1 设为 %2</translation>
    </message>
    <message>
        <source>%1 is a block this FuseLab does not know (%2)</source>
        <translation>%1 是此版本 FuseLab 不认识的模块（%2）</translation>
    </message>
    <message>
        <source>%1 has no output &quot;%2&quot; (outputs: %3)</source>
        <translation>%1 没有输出“%2”（输出：%3）</translation>
    </message>
    <message>
        <source>%1 has no input &quot;%2&quot; (inputs: %3)</source>
        <translation>%1 没有输入“%2”（输入：%3）</translation>
    </message>
    <message>
        <source>a block cannot feed its own input</source>
        <translation>模块不能连到自己的输入</translation>
    </message>
    <message>
        <source>%1 takes one connection and already has one from %2: disconnect that first</source>
        <translation>%1 只能接一条连线，已经接了来自 %2 的连线：请先断开它</translation>
    </message>
    <message>
        <source>connecting %1 to %2 would make a cycle: %2 already feeds %1</source>
        <translation>把 %1 连到 %2 会形成环：%2 已经连到 %1</translation>
    </message>
    <message>
        <source>%1 outputs %2; %3 needs %4: %5</source>
        <translation>%1 输出 %2；%3 需要 %4：%5</translation>
    </message>
    <message>
        <source>%1 outputs %2; %3 needs %4</source>
        <translation>%1 输出 %2；%3 需要 %4</translation>
    </message>
</context>
<context>
    <name>GraphScene</name>
    <message>
        <source>unknown block %1</source>
        <translation>未知模块 %1</translation>
    </message>
</context>
<context>
    <name>Inspector</name>
    <message>
        <source>unreadable</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <source>sample has no readable modality; skipped</source>
        <translation>样本没有可读取的模态；已跳过</translation>
    </message>
    <message>
        <source>no samples found</source>
        <translation>没有找到样本</translation>
    </message>
    <message>
        <source>no sample could be read</source>
        <translation>没有一个样本能被读取</translation>
    </message>
    <message>
        <source>only one class has readable samples; a classifier needs at least two</source>
        <translation>只有一个类别有可读取的样本；分类器至少需要两个类别</translation>
    </message>
    <message>
        <source>usable</source>
        <translation>可用</translation>
    </message>
    <message>
        <source>every target is the same number: nothing to learn</source>
        <translation>所有目标值都相同：没有可学习的内容</translation>
    </message>
    <message>
        <source>every target is the same text: nothing to learn</source>
        <translation>所有目标都是同一段文本：没有可学习的内容</translation>
    </message>
</context>
<context>
    <name>Lesson</name>
    <message>
        <source>%1 is not a FuseLab lesson (lesson.json missing or not one)</source>
        <translation>%1 不是 FuseLab 课程（缺少 lesson.json 或格式不符）</translation>
    </message>
    <message>
        <source>%1 has one modality: the fusion lesson compares modalities and their fusions, so it needs two or more</source>
        <translation>%1 只有一种模态：融合课程比较各模态及其融合，需要两种或以上模态</translation>
    </message>
    <message>
        <source>%1 only</source>
        <translation>仅 %1</translation>
    </message>
    <message>
        <source>%1 is multi-label: the imbalance lesson makes one class rare in single-label data</source>
        <translation>%1 是多标签数据：不平衡课程只在单标签数据中让某一类变得稀少</translation>
    </message>
    <message>
        <source>%1 has no class &quot;%2&quot; (its classes: %3)</source>
        <translation>%1 没有类别“%2”（其类别：%3）</translation>
    </message>
    <message>
        <source>the rare class&apos;s share of the training split must be between 0 and 1, not %1</source>
        <translation>稀有类别在训练集中的占比必须介于 0 和 1 之间，而不是 %1</translation>
    </message>
    <message>
        <source>this build cannot read raw data (it was built for a server): run lessons on a full build</source>
        <translation>此构建无法读取原始数据（为服务器构建）：请在完整构建上运行课程</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1 is not a FuseLab imbalance lesson (imbalance.json missing or not one)</source>
        <translation>%1 不是 FuseLab 不平衡课程（缺少 imbalance.json 或其格式不对）</translation>
    </message>
    <message>
        <source>epoch %1</source>
        <translation>第 %1 轮</translation>
    </message>
    <message>
        <source>Not enough finished runs yet to compare fusion with a single modality.</source>
        <translation>已完成的运行还不够，无法比较融合与单一模态。</translation>
    </message>
    <message>
        <source>Fusion (%1) gains %2 points of test accuracy over the best single modality (%3 alone: %4 → %5).</source>
        <translation>融合（%1）的测试准确率比最佳单一模态（仅 %3：%4 → %5）高 %2 个百分点。</translation>
    </message>
    <message>
        <source>Fusion does not beat %1 alone here: the best fusion (%2) ties with it at %3.</source>
        <translation>这里融合没有超过仅用 %1：最佳融合（%2）与它持平，均为 %3。</translation>
    </message>
    <message>
        <source>Fusion does not beat %1 alone here: the best fusion (%2) is %3 points below it (%4 against %5).</source>
        <translation>这里融合没有超过仅用 %1：最佳融合（%2）比它低 %3 个百分点（%4 对 %5）。</translation>
    </message>
    <message>
        <source>no remedy</source>
        <translation>不处理</translation>
    </message>
    <message>
        <source>class weights</source>
        <translation>类别权重</translation>
    </message>
    <message>
        <source>balanced sampler</source>
        <translation>均衡采样器</translation>
    </message>
    <message>
        <source>oversampling + augmentation</source>
        <translation>过采样 + 数据增强</translation>
    </message>
    <message>
        <source>Not enough finished runs yet to compare the remedies.</source>
        <translation>已完成的运行还不够，无法比较补救方法。</translation>
    </message>
    <message>
        <source>Best macro-F1: %1 (%2, against %3 with no remedy).</source>
        <translation>宏平均 F1 最佳：%1（%2，不处理时为 %3）。</translation>
    </message>
    <message>
        <source>No remedy raises the macro-F1 here (%1 without one).</source>
        <translation>这里没有哪种补救方法提高了宏平均 F1（不处理时为 %1）。</translation>
    </message>
    <message>
        <source>The rare class&apos;s recall rises most with %1: %2 → %3.</source>
        <translation>稀有类别的召回率用%1提升最多：%2 → %3。</translation>
    </message>
    <message>
        <source>No remedy finds more of the rare class (recall %1).</source>
        <translation>没有哪种补救方法找出更多稀有类别的样本（召回率 %1）。</translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation>%1%2</translation>
    </message>
</context>
<context>
    <name>Media</name>
    <message>
        <source>not a readable audio file: %1</source>
        <translation>不是可读取的音频文件：%1</translation>
    </message>
    <message>
        <source>audio header gives %1 channels at %2 Hz</source>
        <translation>音频头部给出 %1 个声道、%2 Hz</translation>
    </message>
    <message>
        <source>the audio file holds no samples</source>
        <translation>音频文件中没有采样</translation>
    </message>
    <message>
        <source>audio file too long (%1 frames); refused</source>
        <translation>音频文件太长（%1 帧）；已拒绝</translation>
    </message>
    <message>
        <source>audio decode error: %1</source>
        <translation>音频解码错误：%1</translation>
    </message>
    <message>
        <source>the audio holds NaN or infinite samples</source>
        <translation>音频中有 NaN 或无穷大的采样值</translation>
    </message>
    <message>
        <source>resampling failed</source>
        <translation>重采样失败</translation>
    </message>
    <message>
        <source>image header claims %1x%2 pixels, over the limit of %3; refused before decoding</source>
        <translation>图像头部声明为 %1x%2 像素，超过上限 %3；解码前已拒绝</translation>
    </message>
    <message>
        <source>decoder failed: %1</source>
        <translation>解码器出错：%1</translation>
    </message>
    <message>
        <source>the decoder could not read the image data (corrupt or unsupported variant)</source>
        <translation>解码器无法读取图像数据（已损坏或是不支持的变体）</translation>
    </message>
    <message>
        <source>image conversion failed: %1</source>
        <translation>图像转换失败：%1</translation>
    </message>
    <message>
        <source>truncated PNG (no complete IHDR header)</source>
        <translation>PNG 被截断（没有完整的 IHDR 头）</translation>
    </message>
    <message>
        <source>PNG with invalid colour type %1</source>
        <translation>PNG 的颜色类型 %1 无效</translation>
    </message>
    <message>
        <source>truncated PNG (no IEND chunk: the file was cut short)</source>
        <translation>PNG 被截断（没有 IEND 块：文件不完整）</translation>
    </message>
    <message>
        <source>corrupt JPEG (bad marker at byte %1)</source>
        <translation>JPEG 已损坏（第 %1 字节处的标记错误）</translation>
    </message>
    <message>
        <source>corrupt JPEG (segment length %1)</source>
        <translation>JPEG 已损坏（段长度为 %1）</translation>
    </message>
    <message>
        <source>truncated or corrupt JPEG (no frame header)</source>
        <translation>JPEG 被截断或已损坏（没有帧头）</translation>
    </message>
    <message>
        <source>truncated JPEG (no end-of-image marker: the file was cut short)</source>
        <translation>JPEG 被截断（没有图像结束标记：文件不完整）</translation>
    </message>
    <message>
        <source>truncated BMP header</source>
        <translation>BMP 头部被截断</translation>
    </message>
    <message>
        <source>BMP with unsupported header size %1</source>
        <translation>BMP 的头部大小 %1 不受支持</translation>
    </message>
    <message>
        <source>truncated BMP (header says %1 bytes, file has %2)</source>
        <translation>BMP 被截断（头部声明 %1 字节，文件只有 %2 字节）</translation>
    </message>
    <message>
        <source>truncated WebP header</source>
        <translation>WebP 头部被截断</translation>
    </message>
    <message>
        <source>truncated WebP (RIFF size %1, file has %2 bytes)</source>
        <translation>WebP 被截断（RIFF 大小为 %1，文件只有 %2 字节）</translation>
    </message>
    <message>
        <source>WebP with unknown chunk type</source>
        <translation>WebP 的块类型未知</translation>
    </message>
    <message>
        <source>truncated TIFF (first directory past the end of the file)</source>
        <translation>TIFF 被截断（第一个目录超出了文件末尾）</translation>
    </message>
    <message>
        <source>truncated TIFF directory</source>
        <translation>TIFF 目录被截断</translation>
    </message>
    <message>
        <source>TIFF without image width/height</source>
        <translation>TIFF 没有图像宽度/高度</translation>
    </message>
    <message>
        <source>truncated PNM header</source>
        <translation>PNM 头部被截断</translation>
    </message>
    <message>
        <source>empty file (0 bytes)</source>
        <translation>空文件（0 字节）</translation>
    </message>
    <message>
        <source>not an image: the file holds text (wrong extension?)</source>
        <translation>不是图像：文件内容是文本（扩展名错了？）</translation>
    </message>
    <message>
        <source>not an image in a supported format (PNG, JPEG, BMP, WebP, TIFF)</source>
        <translation>不是受支持格式的图像（PNG、JPEG、BMP、WebP、TIFF）</translation>
    </message>
    <message>
        <source>image header gives a size of %1x%2</source>
        <translation>图像头部给出的尺寸为 %1x%2</translation>
    </message>
    <message>
        <source>invalid log-mel settings: need sample_rate, n_fft, n_mels &gt; 0 and win_length &lt;= n_fft</source>
        <translation>对数梅尔设置无效：需要 sample_rate、n_fft、n_mels &gt; 0，且 win_length &lt;= n_fft</translation>
    </message>
    <message>
        <source>invalid log-mel settings: need 0 &lt;= f_min &lt; f_max &lt;= sample_rate / 2</source>
        <translation>对数梅尔设置无效：需要 0 &lt;= f_min &lt; f_max &lt;= sample_rate / 2</translation>
    </message>
    <message>
        <source>not valid UTF-8 (invalid byte at offset %1); save the text as UTF-8</source>
        <translation>不是有效的 UTF-8（偏移 %1 处有无效字节）；请把文本保存为 UTF-8</translation>
    </message>
    <message>
        <source>corrupt tokenizer vocabulary</source>
        <translation>分词器词表已损坏</translation>
    </message>
    <message>
        <source>the SentencePiece tokenizer module (libfuselab_spm.so) could not be loaded; tried:%1</source>
        <translation>无法加载 SentencePiece 分词器模块（libfuselab_spm.so）；尝试过：%1</translation>
    </message>
    <message>
        <source>SentencePiece model type must be &quot;unigram&quot; or &quot;bpe&quot;, not &quot;%1&quot;</source>
        <translation>SentencePiece 模型类型必须是“unigram”或“bpe”，而不是“%1”</translation>
    </message>
    <message>
        <source>SentencePiece: no training text to learn a vocabulary from</source>
        <translation>SentencePiece：没有可用来学习词表的训练文本</translation>
    </message>
    <message>
        <source>SentencePiece training failed: %1</source>
        <translation>SentencePiece 训练失败：%1</translation>
    </message>
    <message>
        <source>corrupt SentencePiece model: %1</source>
        <translation>SentencePiece 模型已损坏：%1</translation>
    </message>
    <message>
        <source>the wordpiece tokenizer needs preprocessing.text.vocab_file (a vocab.txt or tokenizer.json)</source>
        <translation>wordpiece 分词器需要 preprocessing.text.vocab_file（vocab.txt 或 tokenizer.json）</translation>
    </message>
    <message>
        <source>corrupt WordPiece tokenizer data</source>
        <translation>WordPiece 分词器数据已损坏</translation>
    </message>
    <message>
        <source>%1: %2 is id %3; FuseLab pads with id 0</source>
        <translation>%1：%2 的编号是 %3；FuseLab 用编号 0 填充</translation>
    </message>
</context>
<context>
    <name>Prediction</name>
    <message>
        <source>%1: the model has no %2 input</source>
        <translation>%1：模型没有 %2 输入</translation>
    </message>
    <message>
        <source>%1: no such file</source>
        <translation>%1：文件不存在</translation>
    </message>
    <message>
        <source>%1: unknown kind of file (expected an image, audio, .txt, .csv or .jsonl)</source>
        <translation>%1：无法识别的文件类型（应为图像、音频、.txt、.csv 或 .jsonl）</translation>
    </message>
    <message>
        <source>%1 is a manifest of several samples; give one file per modality for one sample</source>
        <translation>%1 是包含多个样本的清单；一个样本请每种模态给一个文件</translation>
    </message>
    <message>
        <source>nothing to predict: give a file or some text</source>
        <translation>没有可预测的内容：请给出一个文件或一些文本</translation>
    </message>
    <message>
        <source>%1 and %2 are both for the model&apos;s %3 input; one sample takes one of each</source>
        <translation>%1 和 %2 都对应模型的 %3 输入；一个样本每种输入只取一个</translation>
    </message>
</context>
<context>
    <name>Predictor</name>
    <message>
        <source>%1 has no best checkpoint yet: the run has not finished an epoch</source>
        <translation>%1 还没有最佳检查点：训练尚未完成一个 epoch</translation>
    </message>
    <message>
        <source>this model produces texts, not class probabilities</source>
        <translation>这个模型生成文本，而不是类别概率</translation>
    </message>
    <message>
        <source>this model has no sequence head: it does not produce texts</source>
        <translation>这个模型没有序列输出头：它不生成文本</translation>
    </message>
</context>
<context>
    <name>RunFolder</name>
    <message>
        <source>%1 is not a run folder (it has no run.json)</source>
        <translation>%1 不是训练运行文件夹（没有 run.json）</translation>
    </message>
    <message>
        <source>%1 is damaged (not a JSON object)</source>
        <translation>%1 已损坏（不是 JSON 对象）</translation>
    </message>
    <message>
        <source>%1 is being trained by another process (see run.lock); wait for it or stop it first</source>
        <translation>%1 正由另一个进程训练（见 run.lock）；请等待或先停止它</translation>
    </message>
    <message>
        <source>%1, line %2: not a prediction (expected an object with row, label, predicted and top)</source>
        <translation>%1，第 %2 行：不是一条预测（应为含 row、label、predicted 和 top 的对象）</translation>
    </message>
    <message>
        <source>%1 is damaged (a field has the wrong type)</source>
        <translation>%1 已损坏（某个字段的类型不对）</translation>
    </message>
</context>
<context>
    <name>Safetensors</name>
    <message>
        <source>%1: not a valid safetensors file: %2</source>
        <translation>%1：不是有效的 safetensors 文件：%2</translation>
    </message>
    <message>
        <source>the safetensors format has no type for %1 tensors</source>
        <translation>safetensors 格式没有 %1 张量的类型</translation>
    </message>
    <message>
        <source>%1: the tensor name &quot;%2&quot; is used twice</source>
        <translation>%1：张量名“%2”被使用了两次</translation>
    </message>
</context>
<context>
    <name>Services</name>
    <message>
        <source>%1: no samples found</source>
        <translation>%1：没有找到样本</translation>
    </message>
    <message>
        <source>template %1 gave an invalid graph for this dataset:%2</source>
        <translation>模板 %1 对这个数据集生成的图无效：%2</translation>
    </message>
    <message>
        <source>this build cannot read raw data (it was built for a server, without image, audio and text decoding): prepare the tensor cache on a full build and train from it</source>
        <translation>此版本无法读取原始数据（它是为服务器构建的，不含图像、音频和文本解码）：请在完整版本上准备张量缓存，再用它训练</translation>
    </message>
    <message>
        <source>%1 names no tensor cache</source>
        <translation>%1 没有指明张量缓存</translation>
    </message>
    <message>
        <source>the dataset %1 has changed since this run was trained (it now gives the tensor cache %2 instead of %3); evaluating, predicting or resuming needs the data the run was trained on</source>
        <translation>数据集 %1 在这次训练之后发生了变化（现在得到张量缓存 %2，而不是 %3）；评估、预测或继续训练需要当时训练用的数据</translation>
    </message>
    <message>
        <source>%1 already holds a run; choose another folder, or resume that run</source>
        <translation>%1 中已有一次训练；请选择另一个文件夹，或继续那次训练</translation>
    </message>
    <message>
        <source>%1 is not a run folder (it has no experiment.fuselab.json)</source>
        <translation>%1 不是训练运行文件夹（没有 experiment.fuselab.json）</translation>
    </message>
    <message>
        <source>%1 has no best checkpoint yet: the run has not finished an epoch</source>
        <translation>%1 还没有最佳检查点：训练尚未完成一个 epoch</translation>
    </message>
    <message>
        <source>rank 0 could not prepare the run (see its output)</source>
        <translation>0 号进程未能准备好这次运行（请查看其输出）</translation>
    </message>
    <message>
        <source>%1 does not produce texts: decoder attention belongs to sequence models</source>
        <translation>%1 不生成文本：解码器注意力只属于序列模型</translation>
    </message>
    <message>
        <source>the model has no sequence head</source>
        <translation>模型没有序列输出头</translation>
    </message>
    <message>
        <source>a CTC head has no attention to show: it reads each frame in place</source>
        <translation>CTC 输出头没有可显示的注意力：它逐帧就地读取</translation>
    </message>
    <message>
        <source>this decoder does not expose its attention (the RNN decoder does; the Transformer decoder&apos;s cross-attention is inside LibTorch&apos;s layers)</source>
        <translation>此解码器不公开其注意力（RNN 解码器会公开；Transformer 解码器的交叉注意力位于 LibTorch 的层内部）</translation>
    </message>
</context>
<context>
    <name>Templates</name>
    <message>
        <source>images only: a CNN encoder and a classifier</source>
        <translation>仅图像：CNN 编码器加分类器</translation>
    </message>
    <message>
        <source>text only: a bidirectional GRU over words and a classifier</source>
        <translation>仅文本：基于词的双向 GRU 加分类器</translation>
    </message>
    <message>
        <source>audio only: a CNN over the log-mel spectrogram and a classifier</source>
        <translation>仅音频：对对数梅尔频谱做 CNN，加分类器</translation>
    </message>
    <message>
        <source>every modality encoded, vectors concatenated (early fusion)</source>
        <translation>每个模态分别编码，向量拼接（早期融合）</translation>
    </message>
    <message>
        <source>one classifier per modality, logits averaged over present modalities</source>
        <translation>每个模态一个分类器，对存在的模态的 logits 取平均</translation>
    </message>
    <message>
        <source>attention weights over the modality vectors</source>
        <translation>对各模态向量加注意力权重</translation>
    </message>
    <message>
        <source>gated multimodal unit (Arevalo et al. 2017)</source>
        <translation>门控多模态单元（Arevalo 等，2017）</translation>
    </message>
    <message>
        <source>tensor fusion network: outer product of modality vectors (Zadeh et al. 2017)</source>
        <translation>张量融合网络：模态向量的外积（Zadeh 等，2017）</translation>
    </message>
    <message>
        <source>low-rank multimodal fusion (Liu et al. 2018)</source>
        <translation>低秩多模态融合（Liu 等，2018）</translation>
    </message>
    <message>
        <source>cross-modal attention between modality sequences (MulT-style)</source>
        <translation>模态序列之间的跨模态注意力（MulT 风格）</translation>
    </message>
    <message>
        <source>per-modality autoencoders and a joint autoencoder latent, reconstruction loss added</source>
        <translation>每个模态一个自编码器，加联合自编码隐空间，并加入重建损失</translation>
    </message>
    <message>
        <source>unknown template &quot;%1&quot; (templates: %2)</source>
        <translation>未知模板“%1”（可用模板：%2）</translation>
    </message>
    <message>
        <source>Training is sized to the data: %1 training samples in batches of %2 make %3 steps per epoch, so up to %4 epochs give about %5 optimiser steps (at least %6 epochs, at most %7). It stops early when the validation score has not improved for %8 epochs, and the best epoch&apos;s weights are the result.</source>
        <translation>训练量按数据确定：%1 个训练样本、每批 %2 个，每个轮次为 %3 步，因此最多 %4 个轮次，约 %5 个优化步（至少 %6 个轮次，至多 %7 个）。若验证分数连续 %8 个轮次没有提高，训练提前停止；结果采用最佳轮次的权重。</translation>
    </message>
    <message>
        <source>Fusion: a model that sees several modalities tends to lean on the one that is easiest to fit and to neglect the others (modality competition). Against it, training drops whole modalities of a sample at random (%1% of the time), and each modality&apos;s encoder gets a small classifier of its own whose loss counts %2 times as much as the main one, so every encoder must learn to recognise the classes alone. Neither is used when the model is evaluated or exported.</source>
        <translation>融合：同时看到多种模态的模型，往往依赖最容易拟合的那一种而忽略其他模态（模态竞争）。为此，训练时随机丢弃样本的整个模态（%1% 的概率），并给每个模态的编码器配一个自己的小分类器，其损失按主损失的 %2 倍计入，使每个编码器都必须单独学会识别类别。评估和导出模型时两者都不使用。</translation>
    </message>
    <message>
        <source>Sound: each clip&apos;s log-mel spectrogram is standardised on its own (zero mean, unit variance), so a louder voice or another microphone looks the same to the model, which helps it with speakers it has never heard.</source>
        <translation>声音：每段音频的对数梅尔频谱单独标准化（均值为零、方差为一），因此声音更响或换了麦克风，在模型看来都一样，这有助于模型适应从未听过的说话人。</translation>
    </message>
    <message>
        <source>a number per sample: every modality encoded, vectors concatenated, a regression head</source>
        <translation>每个样本一个数值：编码每种模态，拼接向量，接回归头</translation>
    </message>
    <message>
        <source>template regression predicts a number, and this dataset&apos;s labels are classes (use --task regression if its label column holds numbers)</source>
        <translation>模板 regression 预测数值，而此数据集的标签是类别（如果标签列是数值，请使用 --task regression）</translation>
    </message>
    <message>
        <source>late fusion averages class scores, and this dataset&apos;s labels are numbers (regression): use regression, concat, attention-fusion or gated-fusion</source>
        <translation>后期融合对类别得分取平均，而此数据集的标签是数值（回归）：请使用 regression、concat、attention-fusion 或 gated-fusion</translation>
    </message>
    <message>
        <source>A number per sample (regression): the head predicts the target standardised by the training split&apos;s mean and standard deviation and restores its scale, trained with the mean squared error; the best epoch is the one with the lowest validation RMSE.</source>
        <translation>每个样本一个数值（回归）：输出头预测按训练集均值和标准差标准化后的目标，再恢复其原始尺度，用均方误差训练；最佳轮次是验证 RMSE 最低的那一轮。</translation>
    </message>
    <message>
        <source>an image to a text: a CNN&apos;s vector as the memory of a GRU decoder with attention</source>
        <translation>图像到文本：CNN 的向量作为带注意力的 GRU 解码器的记忆</translation>
    </message>
    <message>
        <source>a text (and any other modality) to a text: a bidirectional GRU&apos;s states and the other modalities&apos; vectors as one memory, attended by a GRU decoder</source>
        <translation>文本（及其他任意模态）到文本：双向 GRU 的状态和其他模态的向量组成一个记忆，由 GRU 解码器对其做注意力</translation>
    </message>
    <message>
        <source>audio (and any other modality) to a text: a convolution over the frames and CTC, the other modalities&apos; vectors added to every frame</source>
        <translation>音频（及其他任意模态）到文本：在各帧上做卷积并用 CTC，其他模态的向量附加到每一帧</translation>
    </message>
    <message>
        <source>the dataset&apos;s labels are texts to produce (a sequence task): use captioning, translation or transcription</source>
        <translation>数据集的标签是要生成的文本（序列任务）：请使用 captioning、translation 或 transcription</translation>
    </message>
    <message>
        <source>template %1 produces a text, and this dataset&apos;s labels are not texts (use --task sequence if its label column holds the texts to produce)</source>
        <translation>模板 %1 生成文本，而这个数据集的标签不是文本（如果标签列是要生成的文本，请使用 --task sequence）</translation>
    </message>
    <message>
        <source>template %1 needs %2 data, and the dataset has none</source>
        <translation>模板 %1 需要 %2 数据，而数据集中没有</translation>
    </message>
    <message>
        <source>Texts to produce: the target vocabulary is the %1 of the training targets (%2 tokens with &lt;pad&gt;, &lt;unk&gt;, &lt;bos&gt; and &lt;eos&gt;), and targets are kept up to %3 tokens, the longest training target rounded up.</source>
        <translation>要生成的文本：目标词表由训练目标中的%1组成（连同 &lt;pad&gt;、&lt;unk&gt;、&lt;bos&gt; 和 &lt;eos&gt; 共 %2 个词元），目标最多保留 %3 个词元，即最长训练目标向上取整。</translation>
    </message>
    <message>
        <source>characters</source>
        <translation>字符</translation>
    </message>
    <message>
        <source>words</source>
        <translation>词</translation>
    </message>
    <message>
        <source>Transcription: a convolution over the spectrogram&apos;s frames gives one vector per frame, and CTC learns which character each frame shows without being told where the characters are; the best epoch is the one with the lowest validation character error rate.</source>
        <translation>转写：在频谱图的各帧上做卷积，每帧得到一个向量；CTC 在不知道字符位置的情况下学习每帧对应哪个字符；最佳轮次是验证字符错误率最低的那一轮。</translation>
    </message>
    <message>
        <source>Producing a text: a GRU decoder writes it word by word, at each word attending to the memory (%1), trained on the true previous words (teacher forcing) with label smoothing; the best epoch is the one with the highest validation BLEU.%2</source>
        <translation>生成文本：GRU 解码器逐词写出文本，每写一个词都对记忆（%1）做注意力；训练时使用真实的前文（教师强制）和标签平滑；最佳轮次是验证 BLEU 最高的那一轮。%2</translation>
    </message>
    <message>
        <source>the image&apos;s vector</source>
        <translation>图像的向量</translation>
    </message>
    <message>
        <source>the source text&apos;s states and one slot per other modality</source>
        <translation>源文本的状态，以及每个其他模态各一个槽位</translation>
    </message>
    <message>
        <source> Training drops whole modalities at random (20% of the time) so the decoder cannot lean on one alone.</source>
        <translation>训练时会随机丢弃整个模态（20% 的时间），使解码器不能只依赖其中一个。</translation>
    </message>
</context>
<context>
    <name>TensorBoard</name>
    <message>
        <source>cannot write %1</source>
        <translation>无法写入 %1</translation>
    </message>
</context>
<context>
    <name>Trainer</name>
    <message>
        <source>%1: unreadable checkpoint (%2)</source>
        <translation>%1：无法读取的检查点（%2）</translation>
    </message>
    <message>
        <source>the dataset&apos;s classes (%1: %2) are not the experiment&apos;s (%3: %4); the data changed since the experiment was made: make the experiment again for this dataset, or edit its class list</source>
        <translation>数据集的类别（%1：%2）与实验的类别（%3：%4）不同；实验创建后数据发生了变化：请为这个数据集重新创建实验，或编辑它的类别列表</translation>
    </message>
    <message>
        <source>the tensor cache holds a multi-label dataset but the experiment is made for a single-label one; make the experiment again for this dataset</source>
        <translation>张量缓存是多标签数据集，而实验是为单标签数据集创建的；请为这个数据集重新创建实验</translation>
    </message>
    <message>
        <source>the tensor cache holds a single-label dataset but the experiment is made for a multi-label one; make the experiment again for this dataset</source>
        <translation>张量缓存是单标签数据集，而实验是为多标签数据集创建的；请为这个数据集重新创建实验</translation>
    </message>
    <message>
        <source>device must be auto, cpu, cuda or cuda:N, not &quot;%1&quot;</source>
        <translation>设备必须是 auto、cpu、cuda 或 cuda:N，而不是“%1”</translation>
    </message>
    <message>
        <source>device &quot;%1&quot; was requested, but this LibTorch build has no CUDA support or no GPU is visible; choose the CPU or auto</source>
        <translation>请求了设备“%1”，但这个 LibTorch 版本不支持 CUDA 或看不到 GPU；请选择 CPU 或自动</translation>
    </message>
    <message>
        <source>device &quot;%1&quot; was requested, but this machine has %2 GPU(s)</source>
        <translation>请求了设备“%1”，但这台机器只有 %2 块 GPU</translation>
    </message>
    <message>
        <source>the dataset has no training samples</source>
        <translation>数据集没有训练样本</translation>
    </message>
    <message>
        <source>%1 has no checkpoint yet: there is nothing to resume (start the run again instead)</source>
        <translation>%1 还没有检查点：没有可以继续的训练（请重新开始训练）</translation>
    </message>
    <message>
        <source>the dataset has no validation samples: the best epoch is the one with the lowest training loss%1</source>
        <translation>数据集没有验证样本：最佳 epoch 取训练损失最低的那个%1</translation>
    </message>
    <message>
        <source>, and early stopping watches the training loss</source>
        <translation>，提前停止也以训练损失为准</translation>
    </message>
    <message>
        <source>the loss became %1 at epoch %2, step %3; training stopped (the last good checkpoint is kept). Try a lower learning rate or gradient clipping</source>
        <translation>在第 %2 个 epoch 第 %3 步，损失变成了 %1；训练已停止（保留最后一个正常的检查点）。请尝试降低学习率或使用梯度裁剪</translation>
    </message>
    <message>
        <source>no improvement of %1 for %2 epochs</source>
        <translation>%1 已连续 %2 个 epoch 没有改善</translation>
    </message>
    <message>
        <source>training failed: %1</source>
        <translation>训练失败：%1</translation>
    </message>
    <message>
        <source>mixed precision (%1) applies to CUDA training: on the CPU this run trains in float32</source>
        <translation>混合精度（%1）仅用于 CUDA 训练：本次在 CPU 上以 float32 训练</translation>
    </message>
    <message>
        <source>the loss became NaN or infinite between steps %1 and %2 of epoch %3; training stopped (the last good checkpoint is kept). Try a lower learning rate or gradient clipping</source>
        <translation>第 %3 轮的第 %1 步到第 %2 步之间损失变为 NaN 或无穷大；训练已停止（保留最后一个正常的检查点）。请尝试降低学习率或使用梯度裁剪</translation>
    </message>
    <message>
        <source>dataset.imbalance: &quot;%1&quot; is not a class of this single-label dataset</source>
        <translation>dataset.imbalance：“%1”不是此单标签数据集的类别</translation>
    </message>
    <message>
        <source>%1 is not a usable checkpoint: %2</source>
        <translation>%1 不是可用的检查点：%2</translation>
    </message>
    <message>
        <source>%1 was saved for another model: it has no %2 (was the graph changed?)</source>
        <translation>%1 是为另一个模型保存的：其中没有 %2（模型图改过吗？）</translation>
    </message>
    <message>
        <source>%1 was saved for another model: %2 is %3 there and %4 here (another class count, input size or graph)</source>
        <translation>%1 是为另一个模型保存的：%2 在其中是 %3，在这里是 %4（类别数、输入尺寸或模型图不同）</translation>
    </message>
    <message>
        <source>the tensor cache holds numbers to predict (regression) but the experiment is made for classes; make the experiment again for this dataset</source>
        <translation>张量缓存中是要预测的数值（回归），但实验是为类别建立的；请为此数据集重新建立实验</translation>
    </message>
    <message>
        <source>the tensor cache holds classes but the experiment is made to predict numbers (regression); make the experiment again for this dataset</source>
        <translation>张量缓存中是类别，但实验是为预测数值（回归）建立的；请为此数据集重新建立实验</translation>
    </message>
    <message>
        <source>training.class_weights and training.weighted_sampler balance classes, and a regression dataset has none: turn them off</source>
        <translation>training.class_weights 和 training.weighted_sampler 用于平衡类别，而回归数据集没有类别：请关闭它们</translation>
    </message>
    <message>
        <source>the dataset&apos;s labels are numbers (regression), and the graph has no regression head</source>
        <translation>数据集的标签是数值（回归），但图中没有回归头</translation>
    </message>
    <message>
        <source>training.early_stopping.metric: %1 does not measure this dataset&apos;s task (%2); use %3</source>
        <translation>training.early_stopping.metric：%1 不适用于此数据集的任务（%2）；请使用 %3</translation>
    </message>
    <message>
        <source>the dataset&apos;s targets are texts, and the graph has no sequence head (head.rnn_decoder, head.transformer_decoder or head.ctc)</source>
        <translation>数据集的目标是文本，而图中没有序列输出头（head.rnn_decoder、head.transformer_decoder 或 head.ctc）</translation>
    </message>
    <message>
        <source>the tensor cache holds texts to produce (a sequence task) but the experiment is not made for one; make the experiment again for this dataset</source>
        <translation>张量缓存保存的是要生成的文本（序列任务），但实验不是为此创建的；请为这个数据集重新创建实验</translation>
    </message>
    <message>
        <source>the experiment is made to produce texts (a sequence task) but the tensor cache holds another task; make the experiment again for this dataset</source>
        <translation>实验是为生成文本（序列任务）创建的，但张量缓存保存的是另一种任务；请为这个数据集重新创建实验</translation>
    </message>
    <message>
        <source>the tensor cache&apos;s target vocabulary (%1 tokens) is not the experiment&apos;s (%2 tokens): the training targets or the target settings changed since the experiment was made; make the experiment again for this dataset</source>
        <translation>张量缓存的目标词表（%1 个词元）与实验的（%2 个词元）不同：创建实验后训练目标或目标设置发生了变化；请为这个数据集重新创建实验</translation>
    </message>
    <message>
        <source>training.class_weights and training.weighted_sampler balance classes, and a dataset of texts to produce has none: turn them off</source>
        <translation>training.class_weights 和 training.weighted_sampler 用于平衡类别，而要生成文本的数据集没有类别：请关闭它们</translation>
    </message>
    <message>
        <source>the data had %1 problem(s), %2 of them skipped rows or files; the first: %3 (events.jsonl lists them)</source>
        <translation>数据有 %1 个问题，其中 %2 个是被跳过的行或文件；第一个：%3（events.jsonl 列出了全部）</translation>
    </message>
</context>
<context>
    <name>WordPiece</name>
    <message>
        <source>%1: the vocabulary is empty</source>
        <translation>%1：词表为空</translation>
    </message>
    <message>
        <source>%1: the vocabulary has no %2 token</source>
        <translation>%1：词表中没有 %2 标记</translation>
    </message>
    <message>
        <source>%1: not a tokenizer.json (no &quot;model&quot; object)</source>
        <translation>%1：不是 tokenizer.json（没有“model”对象）</translation>
    </message>
    <message>
        <source>%1: the tokenizer&apos;s model is %2; FuseLab reads WordPiece models only</source>
        <translation>%1：分词器的模型是 %2；FuseLab 只能读取 WordPiece 模型</translation>
    </message>
    <message>
        <source>%1: the WordPiece model has no vocab object</source>
        <translation>%1：WordPiece 模型没有 vocab 对象</translation>
    </message>
    <message>
        <source>%1: the normaliser %2 is not supported (only BertNormalizer)</source>
        <translation>%1：不支持规范化器 %2（仅支持 BertNormalizer）</translation>
    </message>
    <message>
        <source>%1: the pre-tokenizer %2 is not supported (only BertPreTokenizer)</source>
        <translation>%1：不支持预分词器 %2（仅支持 BertPreTokenizer）</translation>
    </message>
    <message>
        <source>%1: the id of &quot;%2&quot; is not a non-negative integer</source>
        <translation>%1：“%2”的编号不是非负整数</translation>
    </message>
    <message>
        <source>%1: the id of &quot;%2&quot; is impossibly large</source>
        <translation>%1：“%2”的编号大得不可能</translation>
    </message>
    <message>
        <source>%1: not a tokenizer.json FuseLab can read (%2)</source>
        <translation>%1：不是 FuseLab 能读取的 tokenizer.json（%2）</translation>
    </message>
    <message>
        <source>%1: the normaliser is not an object</source>
        <translation>%1：规范化器不是一个对象</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::BlockPalette</name>
    <message>
        <source>Search blocks</source>
        <translation>搜索模块</translation>
    </message>
    <message>
        <source>Inputs</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Encoders</source>
        <translation>编码器</translation>
    </message>
    <message>
        <source>Fusion</source>
        <translation>融合</translation>
    </message>
    <message>
        <source>Heads</source>
        <translation>分类头</translation>
    </message>
    <message>
        <source>Output</source>
        <translation>输出</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::ClassMetricsView</name>
    <message>
        <source>Validation split</source>
        <translation>验证集</translation>
    </message>
    <message>
        <source>Test split</source>
        <translation>测试集</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>精确率</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>召回率</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>Support</source>
        <translation>样本数</translation>
    </message>
    <message>
        <source>The per-class results of a finished run show here.</source>
        <translation>已完成运行的各类别结果显示在这里。</translation>
    </message>
    <message>
        <source>%1 has no results for this split yet (it has not finished).</source>
        <translation>%1 还没有此数据划分的结果（尚未完成）。</translation>
    </message>
    <message>
        <source>%1 has no per-class results.</source>
        <translation>%1 没有各类别结果。</translation>
    </message>
    <message>
        <source>%1, best epoch %2%3</source>
        <translation>%1，最佳轮次 %2%3</translation>
    </message>
    <message>
        <source> (per label: each label is a yes/no question)</source>
        <translation>（按标签：每个标签是一个是/否问题）</translation>
    </message>
    <message>
        <source>Each label&apos;s 2×2 matrix: rows are the truth (no, yes), columns the prediction (no, yes).</source>
        <translation>每个标签的 2×2 矩阵：行是真实值（否、是），列是预测值（否、是）。</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::DatasetPanel</name>
    <message>
        <source>image</source>
        <translation>图像</translation>
    </message>
    <message>
        <source>audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>text</source>
        <translation>文本</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Open dataset…</source>
        <translation>打开数据集…</translation>
    </message>
    <message>
        <source>New experiment…</source>
        <translation>新建实验…</translation>
    </message>
    <message>
        <source>No dataset. Drop a folder, a CSV/JSONL manifest or an IDX folder on the window.</source>
        <translation>尚无数据集。请把文件夹、CSV/JSONL 清单或 IDX 文件夹拖到窗口上。</translation>
    </message>
    <message>
        <source>Skipped file</source>
        <translation>跳过的文件</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Double-click a file to open its folder</source>
        <translation>双击文件可打开其所在文件夹</translation>
    </message>
    <message>
        <source>Scanning</source>
        <translation>正在扫描</translation>
    </message>
    <message>
        <source>Checking files</source>
        <translation>正在检查文件</translation>
    </message>
    <message>
        <source>Looking for duplicates</source>
        <translation>正在查找重复文件</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1：%2 / %3</translation>
    </message>
    <message>
        <source>%1: %2 files</source>
        <translation>%1：%2 个文件</translation>
    </message>
    <message>
        <source>Opening…</source>
        <translation>正在打开…</translation>
    </message>
    <message>
        <source>Opening %1</source>
        <translation>正在打开 %1</translation>
    </message>
    <message>
        <source>Opening %1 was cancelled.</source>
        <translation>已取消打开 %1。</translation>
    </message>
    <message>
        <source>Cannot open %1: %2</source>
        <translation>无法打开 %1：%2</translation>
    </message>
    <message>
        <source>%1 samples, %2 classes; modalities: %3</source>
        <translation>%1 个样本，%2 个类别；模态：%3</translation>
    </message>
    <message>
        <source>Splits: %1 train, %2 validation, %3 test</source>
        <translation>划分：训练 %1，验证 %2，测试 %3</translation>
    </message>
    <message>
        <source>Imbalanced: the largest class has %1 times the samples of the smallest; consider class weights or the balanced sampler</source>
        <translation>类别不平衡：最大类别的样本数是最小类别的 %1 倍；可考虑类别权重或均衡采样</translation>
    </message>
    <message>
        <source>Not usable: %1</source>
        <translation>不可用：%1</translation>
    </message>
    <message>
        <source>samples</source>
        <translation>样本数</translation>
    </message>
    <message>
        <source>Health</source>
        <translation>健康检查</translation>
    </message>
    <message>
        <source>Samples</source>
        <translation>样本</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>%1 (%2)</source>
        <translation>%1（%2）</translation>
    </message>
    <message>
        <source>%1 samples lack a modality (%2); missing inputs are masked in training</source>
        <translation>%1 个样本缺少某种模态（%2）；训练时屏蔽缺失的输入</translation>
    </message>
    <message>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <source>Task: as the labels suggest</source>
        <translation>任务：按标签推断</translation>
    </message>
    <message>
        <source>Task: classification</source>
        <translation>任务：分类</translation>
    </message>
    <message>
        <source>Task: multi-label</source>
        <translation>任务：多标签</translation>
    </message>
    <message>
        <source>Task: regression (a number)</source>
        <translation>任务：回归（数值）</translation>
    </message>
    <message>
        <source>%1 samples, a number each (%2); modalities: %3</source>
        <translation>%1 个样本，每个一个数值（%2）；模态：%3</translation>
    </message>
    <message>
        <source>regression: a number per sample</source>
        <translation>回归：每个样本一个数值</translation>
    </message>
    <message>
        <source>multi-label: a sample may have several classes</source>
        <translation>多标签：一个样本可以有多个类别</translation>
    </message>
    <message>
        <source>classification: one class per sample</source>
        <translation>分类：每个样本一个类别</translation>
    </message>
    <message>
        <source>Task: %1</source>
        <translation>任务：%1</translation>
    </message>
    <message>
        <source>Task: %1 (%2)</source>
        <translation>任务：%1（%2）</translation>
    </message>
    <message>
        <source>sequence: a text to produce per sample</source>
        <translation>序列：每个样本要生成一段文本</translation>
    </message>
    <message>
        <source>Task: sequence (a text to produce)</source>
        <translation>任务：序列（要生成的文本）</translation>
    </message>
    <message>
        <source>What the label column holds: one class, several classes, a number or a text to produce per sample. Manifests only.</source>
        <translation>标签列包含的内容：每个样本一个类别、多个类别、一个数值或一段要生成的文本。仅适用于清单文件。</translation>
    </message>
    <message>
        <source>%1 samples, a text to produce each (a vocabulary of %2 tokens, the longest target %3); modalities: %4</source>
        <translation>%1 个样本，每个对应一段要生成的文本（词表 %2 个词元，最长目标 %3）；模态：%4</translation>
    </message>
    <message>
        <source>target length (characters), training split</source>
        <translation>目标长度（字符），训练集</translation>
    </message>
    <message>
        <source>target length (words), training split</source>
        <translation>目标长度（词），训练集</translation>
    </message>
    <message>
        <source>target value, training split</source>
        <translation>目标值，训练集</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::ExperimentDocument</name>
    <message>
        <source>Add %1</source>
        <translation>添加%1</translation>
    </message>
    <message>
        <source>Connect</source>
        <translation>连接</translation>
    </message>
    <message>
        <source>Replace connection</source>
        <translation>替换连线</translation>
    </message>
    <message>
        <source>Disconnect</source>
        <translation>断开连接</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete block</source>
        <translation>删除模块</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::ExplainView</name>
    <message>
        <source>Why this prediction? — FuseLab</source>
        <translation>为什么这样预测？— FuseLab</translation>
    </message>
    <message>
        <source>Explain the class:</source>
        <translation>解释的类别：</translation>
    </message>
    <message>
        <source>&lt;b&gt;Sample %1&lt;/b&gt;: labelled &lt;b&gt;%2&lt;/b&gt;, predicted &lt;b&gt;%3&lt;/b&gt; (%4%).</source>
        <translation>&lt;b&gt;样本 %1&lt;/b&gt;：标注为 &lt;b&gt;%2&lt;/b&gt;，预测为 &lt;b&gt;%3&lt;/b&gt;（%4%）。</translation>
    </message>
    <message>
        <source>(no label)</source>
        <translation>（无标注）</translation>
    </message>
    <message>
        <source>Below: what speaks for &lt;b&gt;%1&lt;/b&gt;.</source>
        <translation>下方：支持 &lt;b&gt;%1&lt;/b&gt; 的依据。</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>The %1 fusion (%2) weighs the modalities: %3.</source>
        <translation>%1 融合（%2）给各模态的权重：%3。</translation>
    </message>
    <message>
        <source>Grad-CAM of %1</source>
        <translation>%1 的 Grad-CAM</translation>
    </message>
    <message>
        <source>Where the image speaks for the class: red most, blue least (left: the image as the model saw it).</source>
        <translation>图像中支持该类别的位置：红色最强，蓝色最弱（左：模型看到的图像）。</translation>
    </message>
    <message>
        <source>Occlusion over the log-mel of %1</source>
        <translation>%1 的对数梅尔谱遮挡图</translation>
    </message>
    <message>
        <source>the audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>Token importance</source>
        <translation>词元重要性</translation>
    </message>
    <message>
        <source>Each token left out in turn: green tokens speak for the class, red ones against it (the number: points of probability lost without it).</source>
        <translation>依次去掉每个词元：绿色的词元支持该类别，红色的反对（数字：去掉它后损失的概率百分点）。</translation>
    </message>
    <message>
        <source>Nothing to show</source>
        <translation>无可显示的内容</translation>
    </message>
    <message>
        <source>This model reads no input FuseLab can explain for this sample.</source>
        <translation>此模型读取的输入中，没有 FuseLab 能为该样本解释的。</translation>
    </message>
    <message>
        <source>Each cell (frequency band × time) replaced in turn by the clip&apos;s background: red where that lowered the class&apos;s probability, blue where it raised it. Low frequencies at the bottom, time to the right.</source>
        <translation>依次用该片段的背景替换每个格子（频带 × 时间）：红色表示替换后该类别的概率下降，蓝色表示上升。低频在下，时间向右。</translation>
    </message>
    <message>
        <source>Could not explain %1: %2</source>
        <translation>无法解释%1：%2</translation>
    </message>
    <message>
        <source>sample %1</source>
        <translation>样本 %1</translation>
    </message>
    <message>
        <source>your sample</source>
        <translation>你的样本</translation>
    </message>
    <message>
        <source>Explaining %1 with %2…</source>
        <translation>正在用 %2 解释%1…</translation>
    </message>
    <message>
        <source>&lt;b&gt;Your sample&lt;/b&gt;: predicted &lt;b&gt;%1&lt;/b&gt; (%2%).</source>
        <translation>&lt;b&gt;你的样本&lt;/b&gt;：预测为 &lt;b&gt;%1&lt;/b&gt;（%2%）。</translation>
    </message>
    <message>
        <source>Without %1: %2 %3% (predicted: %4).</source>
        <translation>去掉 %1：%2 %3%（预测为：%4）。</translation>
    </message>
    <message>
        <source>attention</source>
        <translation>注意力</translation>
    </message>
    <message>
        <source>gated</source>
        <translation>门控</translation>
    </message>
    <message>
        <source>late</source>
        <translation>后期</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::ExportDialog</name>
    <message>
        <source>Weights (safetensors), with the experiment</source>
        <translation>权重（safetensors），附实验文件</translation>
    </message>
    <message>
        <source>TorchScript module (torch.jit.load in Python, torch::jit::load in C++)</source>
        <translation>TorchScript 模块（Python 用 torch.jit.load，C++ 用 torch::jit::load）</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <source>Export trained model</source>
        <translation>导出训练好的模型</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <source>Export into</source>
        <translation>导出到</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Folder</source>
        <translation>文件夹</translation>
    </message>
    <message>
        <source>Formats</source>
        <translation>格式</translation>
    </message>
    <message>
        <source>The folder gets the chosen files, preprocessing.json (how raw files become the model&apos;s inputs) and a README. It is written whole or not at all.</source>
        <translation>该文件夹将包含所选文件、preprocessing.json（如何把原始文件变成模型输入）和一份 README。要么完整写入，要么完全不写。</translation>
    </message>
    <message>
        <source>Exporting… %1 of %2 formats</source>
        <translation>正在导出… 第 %1 / %2 种格式</translation>
    </message>
    <message>
        <source>Choose at least one format.</source>
        <translation>请至少选择一种格式。</translation>
    </message>
    <message>
        <source>Choose the folder to export into.</source>
        <translation>请选择导出到的文件夹。</translation>
    </message>
    <message>
        <source>%1 already exists and is not empty: choose another folder.</source>
        <translation>%1 已存在且不为空：请选择其他文件夹。</translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation>正在导出…</translation>
    </message>
    <message>
        <source>Exported to %1.</source>
        <translation>已导出到 %1。</translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>Rebuilding the run&apos;s tensor cache: %1 of %2</source>
        <translation>正在重建该运行的张量缓存：第 %1 / %2</translation>
    </message>
    <message>
        <source>ONNX model (ONNX Runtime; OpenCV&apos;s dnn for image models)</source>
        <translation>ONNX 模型（ONNX Runtime；图像模型也可用 OpenCV dnn）</translation>
    </message>
    <message>
        <source>PyTorch code (model.py and train.py, for torchrun) with the weights</source>
        <translation>PyTorch 代码（model.py 与 train.py，可用 torchrun）及权重</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::FusionLessonPage</name>
    <message>
        <source>Fusions to compare:</source>
        <translation>要比较的融合：</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>validation accuracy</source>
        <translation>验证准确率</translation>
    </message>
    <message>
        <source>accuracy / recall</source>
        <translation>准确率 / 召回率</translation>
    </message>
    <message>
        <source>model</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>test accuracy</source>
        <translation>测试准确率</translation>
    </message>
    <message>
        <source>macro-F1</source>
        <translation>宏平均 F1</translation>
    </message>
    <message>
        <source>recall: %1</source>
        <translation>召回率：%1</translation>
    </message>
    <message>
        <source>parameters</source>
        <translation>参数量</translation>
    </message>
    <message>
        <source>training time</source>
        <translation>训练时间</translation>
    </message>
    <message>
        <source>status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>★ %1 (best)</source>
        <translation>★ %1（最佳）</translation>
    </message>
    <message>
        <source>one modality</source>
        <translation>单一模态</translation>
    </message>
    <message>
        <source>fusion</source>
        <translation>融合</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <source>overall</source>
        <translation>整体</translation>
    </message>
    <message>
        <source>every modality</source>
        <translation>全部模态</translation>
    </message>
    <message>
        <source>without %1</source>
        <translation>去掉 %1</translation>
    </message>
    <message>
        <source>What each modality brings to %1 (test split)</source>
        <translation>每种模态对 %1 的贡献（测试集）</translation>
    </message>
    <message>
        <source>What each modality brings (after the lesson)</source>
        <translation>每种模态的贡献（课程结束后显示）</translation>
    </message>
    <message>
        <source>%1 (%2): %3</source>
        <translation>%1（%2）：%3</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>all classes</source>
        <translation>全部类别</translation>
    </message>
    <message>
        <source>The weight each fusion gives each modality, averaged over the test samples of each class</source>
        <translation>每种融合给每种模态的权重，按每个类别的测试样本取平均</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::GraphScene</name>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Delete note</source>
        <translation>删除注释</translation>
    </message>
    <message>
        <source>Arrange blocks</source>
        <translation>整理模块</translation>
    </message>
    <message>
        <source>Move block</source>
        <translation>移动模块</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>注释</translation>
    </message>
    <message>
        <source>Text of the note:</source>
        <translation>注释内容：</translation>
    </message>
    <message>
        <source>Add note</source>
        <translation>添加注释</translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation>%1 个参数</translation>
    </message>
    <message>
        <source>Connect an output to an input: %1 is an output</source>
        <translation>请把输出连到输入：%1 是输出</translation>
    </message>
    <message>
        <source>Cannot connect: %1</source>
        <translation>无法连接：%1</translation>
    </message>
    <message>
        <source>Add and connect</source>
        <translation>添加并连接</translation>
    </message>
    <message>
        <source>No block takes this output</source>
        <translation>没有模块能接收这个输出</translation>
    </message>
    <message>
        <source>Move blocks</source>
        <translation>移动模块</translation>
    </message>
    <message>
        <source>Move note</source>
        <translation>移动注释</translation>
    </message>
    <message>
        <source>Paste</source>
        <translation>粘贴</translation>
    </message>
    <message>
        <source>Paste block</source>
        <translation>粘贴模块</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::ImbalanceLessonPage</name>
    <message>
        <source>Make this class rare:</source>
        <translation>让这个类别变稀少：</translation>
    </message>
    <message>
        <source>its share of the training split:</source>
        <translation>它在训练集中的占比：</translation>
    </message>
    <message>
        <source>test recall</source>
        <translation>测试召回率</translation>
    </message>
    <message>
        <source>%1 (rare)</source>
        <translation>%1（稀有）</translation>
    </message>
    <message>
        <source>Recall per class on the test split: %1 made %2 of the training split</source>
        <translation>测试集上每个类别的召回率：%1 在训练集中占 %2</translation>
    </message>
    <message>
        <source>remedy</source>
        <translation>补救方法</translation>
    </message>
    <message>
        <source>macro-F1</source>
        <translation>宏平均 F1</translation>
    </message>
    <message>
        <source>test accuracy</source>
        <translation>测试准确率</translation>
    </message>
    <message>
        <source>recall of %1 (rare)</source>
        <translation>%1 的召回率（稀有）</translation>
    </message>
    <message>
        <source>training samples (rare)</source>
        <translation>训练样本（稀有）</translation>
    </message>
    <message>
        <source>status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>★ %1 (best macro-F1)</source>
        <translation>★ %1（宏平均 F1 最佳）</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::LabelMatrixGrid</name>
    <message>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <source>predicted</source>
        <translation>预测</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::LessonWindow</name>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>skipped</source>
        <translation>已跳过</translation>
    </message>
    <message>
        <source>%1 only</source>
        <translation>仅 %1</translation>
    </message>
    <message>
        <source>&lt;h3&gt;Does fusing modalities help?&lt;/h3&gt;&lt;p&gt;The lesson trains one model per modality alone and one per fusion strategy, with the same data, the same seed and each template&apos;s default settings, then compares them on the test split, which no model saw while training.&lt;/p&gt;&lt;p&gt;&lt;b&gt;Feature-level fusion&lt;/b&gt; (concat, attention, gated): each modality&apos;s encoder turns its input into a vector of features; the vectors are combined into one and a single classifier learns from all of them together, so it can use how the modalities relate. &lt;b&gt;Model-level fusion&lt;/b&gt; (late fusion): each modality gets its own classifier and their predictions are averaged; simple and robust when a modality is missing, but blind to how they interact.&lt;/p&gt;&lt;h3&gt;What the curves show&lt;/h3&gt;&lt;p&gt;Validation accuracy after each epoch. A curve that climbs and then flattens has learnt what it can; a curve above another all along learns faster and better. The gap between the best fusion and the best single modality is what the other modalities add.&lt;/p&gt;&lt;h3&gt;What to look for&lt;/h3&gt;&lt;ul&gt;&lt;li&gt;Does the best fusion beat the best single modality, and by how much? If not, one modality carries the answer and the others add nothing, or only noise.&lt;/li&gt;&lt;li&gt;&lt;b&gt;What each modality brings&lt;/b&gt;: the best fusion tested with each modality removed. A large drop means the fusion relies on it; almost none means it ignores it. A fusion that leans on one modality while another is useful shows &lt;i&gt;modality competition&lt;/i&gt;, the commonest failure of naive fusion.&lt;/li&gt;&lt;li&gt;&lt;b&gt;Modality weights&lt;/b&gt;: attention and gated fusions weigh the modalities for each sample. Averaged per class, they show which modality the model listens to for which class.&lt;/li&gt;&lt;/ul&gt;</source>
        <translation>&lt;h3&gt;融合多种模态有帮助吗？&lt;/h3&gt;&lt;p&gt;本课程用相同的数据、相同的随机种子和各模板的默认设置，为每种模态单独训练一个模型，再为每种融合策略各训练一个模型，然后在测试集上比较它们——训练时没有任何模型见过测试集。&lt;/p&gt;&lt;p&gt;&lt;b&gt;特征级融合&lt;/b&gt;（拼接、注意力、门控）：每种模态的编码器把输入变成一个特征向量；这些向量合并成一个，由一个分类器同时学习，因此它能利用模态之间的关系。&lt;b&gt;模型级融合&lt;/b&gt;（后期融合）：每种模态有自己的分类器，再把它们的预测取平均；简单，缺少某种模态时也稳健，但看不到模态之间的相互作用。&lt;/p&gt;&lt;h3&gt;曲线表示什么&lt;/h3&gt;&lt;p&gt;每轮训练后的验证准确率。先上升后变平的曲线说明模型已学到能学的东西；一直高于另一条的曲线学得更快更好。最佳融合与最佳单一模态之间的差距，就是其他模态带来的增益。&lt;/p&gt;&lt;h3&gt;要看什么&lt;/h3&gt;&lt;ul&gt;&lt;li&gt;最佳融合是否超过最佳单一模态，超过多少？如果没有，说明答案全在一种模态里，其他模态没有增加信息，或只有噪声。&lt;/li&gt;&lt;li&gt;&lt;b&gt;每种模态的贡献&lt;/b&gt;：依次去掉每种模态后测试最佳融合。下降很多说明融合依赖它；几乎不变说明融合忽略了它。如果融合只依赖一种模态，而另一种其实有用，这就是&lt;i&gt;模态竞争&lt;/i&gt;，朴素融合最常见的失败。&lt;/li&gt;&lt;li&gt;&lt;b&gt;模态权重&lt;/b&gt;：注意力融合和门控融合会为每个样本给各模态加权。按类别平均后，可以看出模型在哪个类别上听哪种模态的。&lt;/li&gt;&lt;/ul&gt;</translation>
    </message>
    <message>
        <source>&lt;h3&gt;When one class is rare&lt;/h3&gt;&lt;p&gt;One class is made rare in the training split only; validation and test keep all of it, so the rare class is judged fairly. A model that seldom sees a class learns to ignore it: overall accuracy stays high while that class&apos;s &lt;b&gt;recall&lt;/b&gt; (the share of its samples found) falls.&lt;/p&gt;&lt;h3&gt;The remedies&lt;/h3&gt;&lt;ul&gt;&lt;li&gt;&lt;b&gt;Class weights&lt;/b&gt;: each mistake on a rare class costs more in the loss.&lt;/li&gt;&lt;li&gt;&lt;b&gt;Balanced sampler&lt;/b&gt;: batches show every class equally often, so the rare samples are repeated.&lt;/li&gt;&lt;li&gt;&lt;b&gt;Oversampling with augmentation&lt;/b&gt;: the same repetition, but each repeat is varied (flips, crops and brightness for images; masks and shifts for audio), so the model learns the class rather than its few samples.&lt;/li&gt;&lt;/ul&gt;&lt;h3&gt;What to look for&lt;/h3&gt;&lt;p&gt;Compare the rare class&apos;s recall (marked) and the macro-F1, which weighs every class equally, not the accuracy, which hides the rare class. A remedy often trades a little recall on the common classes for much more on the rare one.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;当某个类别很稀少时&lt;/h3&gt;&lt;p&gt;只在训练集中让一个类别变得稀少；验证集和测试集保留它的全部样本，因此对稀有类别的评判是公平的。很少见到某个类别的模型会学会忽略它：整体准确率仍然很高，而该类别的&lt;b&gt;召回率&lt;/b&gt;（被找出的样本所占比例）却下降了。&lt;/p&gt;&lt;h3&gt;补救方法&lt;/h3&gt;&lt;ul&gt;&lt;li&gt;&lt;b&gt;类别权重&lt;/b&gt;：在损失中，稀有类别上的每个错误代价更高。&lt;/li&gt;&lt;li&gt;&lt;b&gt;均衡采样器&lt;/b&gt;：每个批次中各类别出现得一样频繁，因此稀有样本会被重复使用。&lt;/li&gt;&lt;li&gt;&lt;b&gt;过采样加数据增强&lt;/b&gt;：同样是重复，但每次重复都有变化（图像做翻转、裁剪和亮度变化；音频做遮挡和平移），让模型学到这个类别，而不是记住它的少数几个样本。&lt;/li&gt;&lt;/ul&gt;&lt;h3&gt;要看什么&lt;/h3&gt;&lt;p&gt;比较稀有类别（已标出）的召回率和宏平均 F1（它对每个类别一视同仁），而不是准确率——准确率会掩盖稀有类别。补救方法常常以常见类别上少许召回率的损失，换取稀有类别上大得多的提升。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>Open a lesson folder</source>
        <translation>打开课程文件夹</translation>
    </message>
    <message>
        <source>Export the lesson as a report</source>
        <translation>将课程导出为报告</translation>
    </message>
    <message>
        <source>Web page (*.html)</source>
        <translation>网页 (*.html)</translation>
    </message>
    <message>
        <source>Report written to %1</source>
        <translation>报告已写入 %1</translation>
    </message>
    <message>
        <source>Lessons — FuseLab</source>
        <translation>课程 — FuseLab</translation>
    </message>
    <message>
        <source>Fusion lesson</source>
        <translation>融合课程</translation>
    </message>
    <message>
        <source>Imbalance lesson</source>
        <translation>不平衡课程</translation>
    </message>
    <message>
        <source>&amp;Run lesson</source>
        <translation>运行课程(&amp;R)</translation>
    </message>
    <message>
        <source>Train the lesson&apos;s models one after another on the dataset (the lesson of the tab shown)</source>
        <translation>在数据集上依次训练课程中的模型（当前标签页的课程）</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>停止(&amp;S)</translation>
    </message>
    <message>
        <source>Stop the current run (kept as a stopped run you can resume) and skip the rest</source>
        <translation>停止当前运行（保留为可恢复的已停止运行），并跳过其余运行</translation>
    </message>
    <message>
        <source>&amp;Open lesson…</source>
        <translation>打开课程(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Export report…</source>
        <translation>导出报告(&amp;E)…</translation>
    </message>
    <message>
        <source>One web page with the plots, tables, graph and settings, to hand out</source>
        <translation>包含图表、表格、模型图和设置的单个网页，可直接分发</translation>
    </message>
    <message>
        <source>&amp;Presentation mode</source>
        <translation>演示模式(&amp;P)</translation>
    </message>
    <message>
        <source>Larger text and plots for a projector (F5)</source>
        <translation>为投影仪放大文字和图表 (F5)</translation>
    </message>
    <message>
        <source>Epochs per run:</source>
        <translation>每次运行的轮数：</translation>
    </message>
    <message>
        <source>template default</source>
        <translation>模板默认值</translation>
    </message>
    <message>
        <source>No dataset open: open one in the main window, or open a lesson folder.</source>
        <translation>没有打开数据集：请在主窗口中打开一个，或打开一个课程文件夹。</translation>
    </message>
    <message>
        <source>Dataset: %1</source>
        <translation>数据集：%1</translation>
    </message>
    <message>
        <source>Open a dataset with two or more modalities in the main window first.</source>
        <translation>请先在主窗口中打开一个包含两种或更多模态的数据集。</translation>
    </message>
    <message>
        <source>Choose at least one fusion to compare.</source>
        <translation>请至少选择一种要比较的融合。</translation>
    </message>
    <message>
        <source>Choose the class to make rare.</source>
        <translation>请选择要变稀少的类别。</translation>
    </message>
    <message>
        <source>Reading the dataset…</source>
        <translation>正在读取数据集…</translation>
    </message>
    <message>
        <source>Stopping: the current run saves a checkpoint and the rest are skipped…</source>
        <translation>正在停止：当前运行保存检查点，其余运行将被跳过…</translation>
    </message>
    <message>
        <source>Training %1 (run %2 of %3)…</source>
        <translation>正在训练 %1（第 %2 次，共 %3 次）…</translation>
    </message>
    <message>
        <source>The lesson failed: %1</source>
        <translation>课程失败：%1</translation>
    </message>
    <message>
        <source>Stopped. The runs that finished are compared below; the stopped run can be resumed from the run history.</source>
        <translation>已停止。下方比较已完成的运行；已停止的运行可以在运行历史中恢复。</translation>
    </message>
    <message>
        <source>Lesson finished. Its runs are in %1 and in the run history.</source>
        <translation>课程完成。它的运行位于 %1，也在运行历史中。</translation>
    </message>
    <message>
        <source>%1 holds no lesson (no lesson.json or imbalance.json)</source>
        <translation>%1 中没有课程（没有 lesson.json 或 imbalance.json）</translation>
    </message>
    <message>
        <source>Nothing to export: run or open a lesson first.</source>
        <translation>没有可导出的内容：请先运行或打开一个课程。</translation>
    </message>
    <message>
        <source>Fusion lesson: %1</source>
        <translation>融合课程：%1</translation>
    </message>
    <message>
        <source>Imbalance lesson: %1</source>
        <translation>不平衡课程：%1</translation>
    </message>
    <message>
        <source>Made with FuseLab on %1.</source>
        <translation>由 FuseLab 于 %1 生成。</translation>
    </message>
    <message>
        <source>Validation accuracy per epoch</source>
        <translation>每轮的验证准确率</translation>
    </message>
    <message>
        <source>Results on the test split</source>
        <translation>测试集上的结果</translation>
    </message>
    <message>
        <source>What each modality brings to the best fusion</source>
        <translation>每种模态对最佳融合的贡献</translation>
    </message>
    <message>
        <source>Modality weights per class</source>
        <translation>每个类别的模态权重</translation>
    </message>
    <message>
        <source>The best model&apos;s graph (%1)</source>
        <translation>最佳模型的结构图（%1）</translation>
    </message>
    <message>
        <source>The imbalance lesson</source>
        <translation>不平衡课程</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>epochs</source>
        <translation>轮数</translation>
    </message>
    <message>
        <source>batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>Could not write %1: %2</source>
        <translation>无法写入 %1：%2</translation>
    </message>
    <message>
        <source>A lesson is running: stop it before opening another one.</source>
        <translation>有课程正在运行：请先停止它，再打开另一个。</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::LogPanel</name>
    <message>
        <source>graph</source>
        <translation>图</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::MainWindow</name>
    <message>
        <source>Dataset</source>
        <translation>数据集</translation>
    </message>
    <message>
        <source>Blocks</source>
        <translation>模块</translation>
    </message>
    <message>
        <source>Properties</source>
        <translation>属性</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Log</source>
        <translation>日志</translation>
    </message>
    <message>
        <source>Opened dataset %1</source>
        <translation>已打开数据集 %1</translation>
    </message>
    <message>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <source>Main</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <source>&amp;New from template…</source>
        <translation>从模板新建(&amp;N)…</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>打开(&amp;O)…</translation>
    </message>
    <message>
        <source>Open &amp;dataset…</source>
        <translation>打开数据集(&amp;D)…</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <source>Save &amp;as…</source>
        <translation>另存为(&amp;A)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;Delete</source>
        <translation>删除(&amp;D)</translation>
    </message>
    <message>
        <source>Select &amp;all</source>
        <translation>全选(&amp;A)</translation>
    </message>
    <message>
        <source>Arrange &amp;blocks</source>
        <translation>整理模块(&amp;B)</translation>
    </message>
    <message>
        <source>Add &amp;note</source>
        <translation>添加注释(&amp;N)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <source>Zoom &amp;in</source>
        <translation>放大(&amp;I)</translation>
    </message>
    <message>
        <source>Zoom &amp;out</source>
        <translation>缩小(&amp;O)</translation>
    </message>
    <message>
        <source>&amp;Fit to window</source>
        <translation>适应窗口(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Tools</source>
        <translation>工具(&amp;T)</translation>
    </message>
    <message>
        <source>&amp;Preferences…</source>
        <translation>首选项(&amp;P)…</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About FuseLab</source>
        <translation>关于 FuseLab(&amp;A)</translation>
    </message>
    <message>
        <source>untitled</source>
        <translation>未命名</translation>
    </message>
    <message>
        <source>%1: no such file or folder</source>
        <translation>%1：文件或文件夹不存在</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>已打开 %1</translation>
    </message>
    <message>
        <source>Cannot open the experiment</source>
        <translation>无法打开实验</translation>
    </message>
    <message>
        <source>New experiment from the template %1</source>
        <translation>已从模板 %1 新建实验</translation>
    </message>
    <message>
        <source>New experiment</source>
        <translation>新建实验</translation>
    </message>
    <message>
        <source>A new experiment starts from a dataset: open one first (or drop it on the window).</source>
        <translation>新实验从数据集开始：请先打开一个数据集（或把它拖到窗口上）。</translation>
    </message>
    <message>
        <source>Open experiment</source>
        <translation>打开实验</translation>
    </message>
    <message>
        <source>FuseLab experiments (*.fuselab.json);;All files (*)</source>
        <translation>FuseLab 实验 (*.fuselab.json);;所有文件 (*)</translation>
    </message>
    <message>
        <source>Open dataset folder</source>
        <translation>打开数据集文件夹</translation>
    </message>
    <message>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
    <message>
        <source>Cannot save %1: %2</source>
        <translation>无法保存 %1：%2</translation>
    </message>
    <message>
        <source>Cannot save</source>
        <translation>无法保存</translation>
    </message>
    <message>
        <source>Save experiment</source>
        <translation>保存实验</translation>
    </message>
    <message>
        <source>FuseLab experiments (*.fuselab.json)</source>
        <translation>FuseLab 实验 (*.fuselab.json)</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>未保存的更改</translation>
    </message>
    <message>
        <source>The experiment has unsaved changes. Save them?</source>
        <translation>实验有未保存的更改。要保存吗？</translation>
    </message>
    <message>
        <source>About FuseLab</source>
        <translation>关于 FuseLab</translation>
    </message>
    <message>
        <source>&lt;h3&gt;FuseLab %1&lt;/h3&gt;&lt;p&gt;A workbench for multimodal deep learning: images, text and audio, wired into a fusion model in a visual editor.&lt;/p&gt;&lt;p&gt;GPL-3.0-or-later. Built with Qt, LibTorch and QCustomPlot.&lt;/p&gt;</source>
        <translation>&lt;h3&gt;FuseLab %1&lt;/h3&gt;&lt;p&gt;多模态深度学习工作台：在可视化编辑器中把图像、文本和音频连接成融合模型。&lt;/p&gt;&lt;p&gt;GPL-3.0-or-later。基于 Qt、LibTorch 和 QCustomPlot 构建。&lt;/p&gt;</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>复制(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>粘贴(&amp;P)</translation>
    </message>
    <message>
        <source>Open or create an experiment to train it.</source>
        <translation>请先打开或新建一个实验再训练。</translation>
    </message>
    <message>
        <source>The graph has problems (see the log); fix them before training.</source>
        <translation>图中有问题（见日志）；请先修正再训练。</translation>
    </message>
    <message>
        <source>Training in progress</source>
        <translation>正在训练</translation>
    </message>
    <message>
        <source>A run is in progress. Stop it and close? Its last checkpoint is kept and the run can be resumed.</source>
        <translation>训练正在进行。要停止并关闭吗？最后的检查点会保留，之后可以继续训练。</translation>
    </message>
    <message>
        <source>Open dataset</source>
        <translation>打开数据集</translation>
    </message>
    <message>
        <source>Open a dataset folder, or a CSV/JSONL manifest file?</source>
        <translation>打开数据集文件夹，还是 CSV/JSONL 清单文件？</translation>
    </message>
    <message>
        <source>Folder…</source>
        <translation>文件夹…</translation>
    </message>
    <message>
        <source>Manifest file…</source>
        <translation>清单文件…</translation>
    </message>
    <message>
        <source>Open manifest</source>
        <translation>打开清单</translation>
    </message>
    <message>
        <source>Manifests (*.csv *.jsonl *.ndjson)</source>
        <translation>清单文件 (*.csv *.jsonl *.ndjson)</translation>
    </message>
    <message>
        <source>The dataset&apos;s samples are not the ones this run was trained on (has the data changed?).</source>
        <translation>数据集的样本与此运行训练时的样本不一致（数据是否已更改？）。</translation>
    </message>
    <message>
        <source>%1 validation sample(s) of “%2” predicted as “%3”, the most confident first</source>
        <translation>真实为“%2”、预测为“%3”的验证样本 %1 个，置信度最高的在前</translation>
    </message>
    <message>
        <source>%1 test sample(s) of “%2” predicted as “%3”, the most confident first</source>
        <translation>%1 个“%2”的测试样本被预测为“%3”，置信度高的在前</translation>
    </message>
    <message>
        <source>&amp;Export trained model…</source>
        <translation>导出训练好的模型(&amp;E)…</translation>
    </message>
    <message>
        <source>Nothing to export yet: train the experiment (or select a finished run in the Runs tab) first.</source>
        <translation>还没有可导出的内容：请先训练实验（或在“运行记录”标签页中选择一个已完成的运行）。</translation>
    </message>
    <message>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
    <message>
        <source>The export failed: %1</source>
        <translation>导出失败：%1</translation>
    </message>
    <message>
        <source>&amp;Lessons…</source>
        <translation>课程(&amp;L)…</translation>
    </message>
    <message>
        <source>Does fusing modalities help on this dataset? Train and compare single modalities and fusions; the imbalance lesson</source>
        <translation>在这个数据集上融合模态有帮助吗？训练并比较单一模态与各种融合；以及不平衡课程</translation>
    </message>
    <message>
        <source>Train a model on this dataset first (or select a run in the Runs tab): its predictions are what gets explained.</source>
        <translation>请先在这个数据集上训练一个模型（或在“运行”标签页中选择一次运行）：要解释的正是它的预测。</translation>
    </message>
    <message>
        <source>The run %1 was trained on %2, not on the dataset shown: open that dataset, or select a run of this one.</source>
        <translation>运行 %1 是在 %2 上训练的，不是当前显示的数据集：请打开那个数据集，或选择这个数据集的运行。</translation>
    </message>
    <message>
        <source>An explanation is still being computed; try again when it is shown.</source>
        <translation>仍在计算一个解释；显示后请再试。</translation>
    </message>
    <message>
        <source>Lesson in progress</source>
        <translation>课程进行中</translation>
    </message>
    <message>
        <source>A lesson is training. Stop it and close? Its current run is kept and can be resumed.</source>
        <translation>有课程正在训练。要停止并关闭吗？当前运行会被保留，之后可以恢复。</translation>
    </message>
    <message>
        <source>A validation sample: true %1, predicted %2</source>
        <translation>一个验证样本：真实值 %1，预测值 %2</translation>
    </message>
    <message>
        <source>A validation sample: reference “%1”</source>
        <translation>一个验证样本：参考文本“%1”</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::PredictPanel</name>
    <message>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Drop an image, a sound and a .txt file of one sample here: one of each modality</source>
        <translation>把同一样本的图像、声音和 .txt 文件拖到这里：每种模态一个</translation>
    </message>
    <message>
        <source>…or type the text of the sample</source>
        <translation>……或输入该样本的文本</translation>
    </message>
    <message>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>清除</translation>
    </message>
    <message>
        <source>probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <source>Files of one sample</source>
        <translation>同一样本的文件</translation>
    </message>
    <message>
        <source>Train a model, or select a run in Runs, to ask it about new samples.</source>
        <translation>先训练一个模型，或在“运行记录”中选择一个运行，然后用它预测新样本。</translation>
    </message>
    <message>
        <source>Run %1 (its best checkpoint)</source>
        <translation>运行 %1（其最佳检查点）</translation>
    </message>
    <message>
        <source>Give a file or some text first.</source>
        <translation>请先给出一个文件或一些文本。</translation>
    </message>
    <message>
        <source>Asking the model…</source>
        <translation>正在询问模型…</translation>
    </message>
    <message>
        <source>Cannot predict: %1</source>
        <translation>无法预测：%1</translation>
    </message>
    <message>
        <source>Most likely: %1 (%2%)</source>
        <translation>最可能：%1（%2%）</translation>
    </message>
    <message>
        <source>Missing modalities, treated as absent: %1.</source>
        <translation>缺失的模态（按缺失处理）：%1。</translation>
    </message>
    <message>
        <source>Why?</source>
        <translation>为什么？</translation>
    </message>
    <message>
        <source>What the model looks at in this sample: Grad-CAM over images, occlusion over audio, each word&apos;s weight</source>
        <translation>模型在这个样本中看什么：图像的 Grad-CAM、音频的遮挡图、每个词的权重</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::PreferencesDialog</name>
    <message>
        <source>Preferences</source>
        <translation>首选项</translation>
    </message>
    <message>
        <source>Automatic (a GPU when there is one)</source>
        <translation>自动（有 GPU 时使用 GPU）</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>GPU (CUDA)</source>
        <translation>GPU（CUDA）</translation>
    </message>
    <message>
        <source>all (%1)</source>
        <translation>全部（%1）</translation>
    </message>
    <message>
        <source>Training device</source>
        <translation>训练设备</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU 线程数</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>A new language applies the next time FuseLab starts.</source>
        <translation>新的语言将在下次启动 FuseLab 时生效。</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::PropertiesPanel</name>
    <message>
        <source>This block type is not known to this version of FuseLab; it is kept as it is.</source>
        <translation>此版本的 FuseLab 不认识这种模块类型；它会被原样保留。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Rename block</source>
        <translation>重命名模块</translation>
    </message>
    <message>
        <source>Set %1</source>
        <translation>设置 %1</translation>
    </message>
    <message>
        <source>Open an experiment or a dataset to see its settings.</source>
        <translation>打开一个实验或数据集以查看其设置。</translation>
    </message>
    <message>
        <source>Training settings</source>
        <translation>训练设置</translation>
    </message>
    <message>
        <source>Select a block to see its options.</source>
        <translation>选择一个模块以查看其选项。</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>训练轮数</translation>
    </message>
    <message>
        <source>Batch size</source>
        <translation>批大小</translation>
    </message>
    <message>
        <source>Optimizer</source>
        <translation>优化器</translation>
    </message>
    <message>
        <source>Adam</source>
        <translation>Adam</translation>
    </message>
    <message>
        <source>AdamW</source>
        <translation>AdamW</translation>
    </message>
    <message>
        <source>SGD</source>
        <translation>SGD</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Weight decay</source>
        <translation>权重衰减</translation>
    </message>
    <message>
        <source>Schedule</source>
        <translation>学习率调度</translation>
    </message>
    <message>
        <source>constant</source>
        <translation>恒定</translation>
    </message>
    <message>
        <source>step</source>
        <translation>阶梯</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>余弦</translation>
    </message>
    <message>
        <source>Warm-up epochs</source>
        <translation>预热轮数</translation>
    </message>
    <message>
        <source>Best epoch by</source>
        <translation>最佳轮次依据</translation>
    </message>
    <message>
        <source>validation accuracy</source>
        <translation>验证准确率</translation>
    </message>
    <message>
        <source>validation macro-F1</source>
        <translation>验证宏平均 F1</translation>
    </message>
    <message>
        <source>validation loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>Patience (0 = off)</source>
        <translation>耐心值（0 = 关闭）</translation>
    </message>
    <message>
        <source>Class weights</source>
        <translation>类别权重</translation>
    </message>
    <message>
        <source>Balanced sampler</source>
        <translation>均衡采样</translation>
    </message>
    <message>
        <source>Modality dropout</source>
        <translation>模态丢弃</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>automatic</source>
        <translation>自动</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>GPU (CUDA)</source>
        <translation>GPU（CUDA）</translation>
    </message>
    <message>
        <source>CPU threads (0 = all)</source>
        <translation>CPU 线程数（0 = 全部）</translation>
    </message>
    <message>
        <source>About this experiment</source>
        <translation>关于此实验</translation>
    </message>
    <message>
        <source>Mixed precision</source>
        <translation>混合精度</translation>
    </message>
    <message>
        <source>off (float32)</source>
        <translation>关闭（float32）</translation>
    </message>
    <message>
        <source>float16 (CUDA)</source>
        <translation>float16（CUDA）</translation>
    </message>
    <message>
        <source>bfloat16 (CUDA)</source>
        <translation>bfloat16（CUDA）</translation>
    </message>
    <message>
        <source>validation RMSE (numbers)</source>
        <translation>验证 RMSE（数值）</translation>
    </message>
    <message>
        <source>validation MAE (numbers)</source>
        <translation>验证 MAE（数值）</translation>
    </message>
    <message>
        <source>validation R² (numbers)</source>
        <translation>验证 R²（数值）</translation>
    </message>
    <message>
        <source>validation Pearson r (numbers)</source>
        <translation>验证 Pearson r（数值）</translation>
    </message>
    <message>
        <source>validation BLEU (texts)</source>
        <translation>验证 BLEU（文本）</translation>
    </message>
    <message>
        <source>validation chrF (texts)</source>
        <translation>验证 chrF（文本）</translation>
    </message>
    <message>
        <source>validation exact match (texts)</source>
        <translation>验证完全匹配（文本）</translation>
    </message>
    <message>
        <source>validation WER (texts)</source>
        <translation>验证 WER（文本）</translation>
    </message>
    <message>
        <source>validation CER (texts)</source>
        <translation>验证 CER（文本）</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::RegressionView</name>
    <message>
        <source>true</source>
        <translation>真实</translation>
    </message>
    <message>
        <source>true %1</source>
        <translation>真实 %1</translation>
    </message>
    <message>
        <source>predicted</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>predicted %1</source>
        <translation>预测 %1</translation>
    </message>
    <message>
        <source>residual (predicted − true)</source>
        <translation>残差（预测 − 真实）</translation>
    </message>
    <message>
        <source>samples</source>
        <translation>样本数</translation>
    </message>
    <message>
        <source>Each validation sample; on the dashed line the prediction is exact. Click a point to open its sample.</source>
        <translation>每个点是一个验证样本；落在虚线上表示预测完全准确。点击一个点可打开其样本。</translation>
    </message>
    <message>
        <source>Predicted against true values of the validation samples appear after the first epoch.</source>
        <translation>第一轮结束后，这里显示验证样本的预测值与真实值。</translation>
    </message>
    <message>
        <source>Validation samples: %1, predicted against true, and how far off the predictions are.</source>
        <translation>验证样本：%1 个，预测值与真实值的对比，以及预测的偏差。</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::RunComparison</name>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>validation accuracy</source>
        <translation>验证准确率</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Best epoch</source>
        <translation>最佳轮次</translation>
    </message>
    <message>
        <source>Test macro-F1</source>
        <translation>测试宏平均 F1</translation>
    </message>
    <message>
        <source>Minutes</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>已完成</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>Validation score</source>
        <translation>验证得分</translation>
    </message>
    <message>
        <source>Test score</source>
        <translation>测试得分</translation>
    </message>
    <message>
        <source>Accuracy; BLEU for runs that produce texts, R² for runs that predict a number</source>
        <translation>准确率；生成文本的运行为 BLEU，预测数值的运行为 R²</translation>
    </message>
    <message>
        <source>BLEU %1</source>
        <translation>BLEU %1</translation>
    </message>
    <message>
        <source>R² %1</source>
        <translation>R² %1</translation>
    </message>
    <message>
        <source>validation BLEU</source>
        <translation>验证 BLEU</translation>
    </message>
    <message>
        <source>validation R²</source>
        <translation>验证 R²</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::SampleBrowser</name>
    <message>
        <source>%1 s of audio</source>
        <translation>%1 秒音频</translation>
    </message>
    <message>
        <source>All classes</source>
        <translation>所有类别</translation>
    </message>
    <message>
        <source>All splits</source>
        <translation>所有划分</translation>
    </message>
    <message>
        <source>train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>validation</source>
        <translation>验证</translation>
    </message>
    <message>
        <source>test</source>
        <translation>测试</translation>
    </message>
    <message>
        <source>Any modality</source>
        <translation>任意模态</translation>
    </message>
    <message>
        <source>with %1</source>
        <translation>含 %1</translation>
    </message>
    <message>
        <source>%1 samples</source>
        <translation>%1 个样本</translation>
    </message>
    <message>
        <source>missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <source>image %1 of %2</source>
        <translation>%2 中的第 %1 张图像</translation>
    </message>
    <message>
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>显示全部</translation>
    </message>
    <message>
        <source>Why this prediction?</source>
        <translation>为什么这样预测？</translation>
    </message>
    <message>
        <source>What the trained model looks at in this sample: Grad-CAM over images, occlusion over audio, each word&apos;s weight</source>
        <translation>训练好的模型在这个样本中看什么：图像的 Grad-CAM、音频的遮挡图、每个词的权重</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::SequenceView</name>
    <message>
        <source>CER</source>
        <translation>字符错误率</translation>
    </message>
    <message>
        <source>WER</source>
        <translation>词错误率</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>源文本</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>参考文本</translation>
    </message>
    <message>
        <source>Hypothesis</source>
        <translation>模型输出</translation>
    </message>
    <message>
        <source>The validation samples&apos; references and decoded texts appear after the first epoch.</source>
        <translation>验证样本的参考文本和解码结果将在第一轮之后显示。</translation>
    </message>
    <message>
        <source>The %1 worst of %2 validation samples by %3, worst first. Click one to open it and see what the decoder attended to.</source>
        <translation>按%3排列的 %2 个验证样本中最差的 %1 个，最差的在前。点击一个样本即可打开它，并查看解码器关注了什么。</translation>
    </message>
    <message>
        <source>character error rate</source>
        <translation>字符错误率</translation>
    </message>
    <message>
        <source>word error rate</source>
        <translation>词错误率</translation>
    </message>
    <message>
        <source>%1 validation samples by %2, worst first. Click one to open it and see what the decoder attended to.</source>
        <translation>%1 个验证样本按%2排列，最差的在前。点击一个样本即可打开它，并查看解码器关注了什么。</translation>
    </message>
    <message>
        <source>Choose a sample above to see the decoder&apos;s attention: which source words and which image it looked at for each word it wrote.</source>
        <translation>在上方选择一个样本以查看解码器的注意力：它每写一个词时看了哪些源词和哪张图像。</translation>
    </message>
    <message>
        <source>Computing the decoder&apos;s attention for sample %1…</source>
        <translation>正在计算样本 %1 的解码器注意力…</translation>
    </message>
    <message>
        <source>the decoder produced nothing for this sample</source>
        <translation>解码器没有为此样本生成任何内容</translation>
    </message>
    <message>
        <source>fused %1</source>
        <translation>融合输入 %1</translation>
    </message>
    <message>
        <source>what the decoder read (memory)</source>
        <translation>解码器读取的内容（记忆）</translation>
    </message>
    <message>
        <source>what it wrote</source>
        <translation>它写出的内容</translation>
    </message>
    <message>
        <source>&lt;b&gt;Sample %1&lt;/b&gt; through the best checkpoint: reference “%2”, decoded “%3”. Each row is a token the decoder wrote; darker cells are what it attended to (each row sums to 100%).</source>
        <translation>&lt;b&gt;样本 %1&lt;/b&gt;（最佳检查点）：参考文本“%2”，解码结果“%3”。每一行是解码器写出的一个词元；颜色越深表示它越关注该处（每行合计 100%）。</translation>
    </message>
    <message>
        <source>No attention to show: %1</source>
        <translation>没有可显示的注意力：%1</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::TemplateDialog</name>
    <message>
        <source>needs images</source>
        <translation>需要图像</translation>
    </message>
    <message>
        <source>needs text</source>
        <translation>需要文本</translation>
    </message>
    <message>
        <source>needs audio</source>
        <translation>需要音频</translation>
    </message>
    <message>
        <source>needs two or more modalities</source>
        <translation>需要两个或以上模态</translation>
    </message>
    <message>
        <source>New experiment from a template</source>
        <translation>从模板新建实验</translation>
    </message>
    <message>
        <source>The new experiment&apos;s inputs come from the dataset&apos;s columns; every setting can be changed afterwards.</source>
        <translation>新实验的输入来自数据集的各列；之后可以修改所有设置。</translation>
    </message>
    <message>
        <source>needs numbers as labels</source>
        <translation>需要数值标签</translation>
    </message>
    <message>
        <source>averages class scores; the labels are numbers</source>
        <translation>对类别得分取平均；而标签是数值</translation>
    </message>
    <message>
        <source>needs texts to produce as labels</source>
        <translation>需要以要生成的文本作为标签</translation>
    </message>
    <message>
        <source>the labels are texts to produce</source>
        <translation>标签是要生成的文本</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::TrainingPanel</name>
    <message>
        <source>Train</source>
        <translation>训练</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Train the open experiment: it is saved first, and the run uses that saved version.</source>
        <translation>训练当前实验：会先保存，训练使用保存的版本。</translation>
    </message>
    <message>
        <source>training loss (batches)</source>
        <translation>训练损失（每批）</translation>
    </message>
    <message>
        <source>validation loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>validation accuracy</source>
        <translation>验证准确率</translation>
    </message>
    <message>
        <source>epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>loss</source>
        <translation>损失</translation>
    </message>
    <message>
        <source>accuracy</source>
        <translation>准确率</translation>
    </message>
    <message>
        <source>predicted</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>true</source>
        <translation>真实</translation>
    </message>
    <message>
        <source>%1: %2 of %3</source>
        <translation>%1：%2 / %3</translation>
    </message>
    <message>
        <source>%1: %2</source>
        <translation>%1：%2</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>正在启动…</translation>
    </message>
    <message>
        <source>Stopping after this batch…</source>
        <translation>将在本批结束后停止…</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <source>epoch %1 of %2, step %3 of %4 — %5 samples/s, about %6 s left</source>
        <translation>第 %1/%2 轮，第 %3/%4 步 — 每秒 %5 个样本，约剩 %6 秒</translation>
    </message>
    <message>
        <source>epoch %1: training loss %2, validation accuracy %3%4</source>
        <translation>第 %1 轮：训练损失 %2，验证准确率 %3%4</translation>
    </message>
    <message>
        <source>n/a</source>
        <translation>无</translation>
    </message>
    <message>
        <source> (best so far)</source>
        <translation>（目前最佳）</translation>
    </message>
    <message>
        <source>Stopped after %1 complete epoch(s); the run is kept in %2 and can be resumed.</source>
        <translation>已在完成 %1 轮后停止；训练保存在 %2，可以继续。</translation>
    </message>
    <message>
        <source>Finished: test accuracy %1 (best epoch %2). Run folder: %3</source>
        <translation>完成：测试准确率 %1（最佳轮次 %2）。运行文件夹：%3</translation>
    </message>
    <message>
        <source>Finished after %1 epoch(s). Run folder: %2</source>
        <translation>完成，共 %1 轮。运行文件夹：%2</translation>
    </message>
    <message>
        <source>The run failed: %1</source>
        <translation>训练失败：%1</translation>
    </message>
    <message>
        <source>Resume on the CPU</source>
        <translation>在 CPU 上继续</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>GPU %1 (CUDA)</source>
        <translation>GPU %1（CUDA）</translation>
    </message>
    <message>
        <source>The device for the next run; a GPU that cannot be used falls back to the CPU.</source>
        <translation>下一次运行使用的设备；无法使用的 GPU 会改用 CPU。</translation>
    </message>
    <message>
        <source>Run</source>
        <translation>运行</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Epochs</source>
        <translation>训练轮数</translation>
    </message>
    <message>
        <source>Best epoch</source>
        <translation>最佳轮次</translation>
    </message>
    <message>
        <source>Validation accuracy</source>
        <translation>验证准确率</translation>
    </message>
    <message>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>打开文件夹</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>实时</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>运行记录</translation>
    </message>
    <message>
        <source>Resuming %1…</source>
        <translation>正在继续 %1…</translation>
    </message>
    <message>
        <source>The last checkpoint is kept; the run can continue on the CPU.</source>
        <translation>最后的检查点已保留；此运行可以在 CPU 上继续。</translation>
    </message>
    <message>
        <source>validation macro-F1</source>
        <translation>验证宏平均 F1</translation>
    </message>
    <message>
        <source>training loss (epochs)</source>
        <translation>训练损失（轮次）</translation>
    </message>
    <message>
        <source>learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Export as PNG…</source>
        <translation>导出为 PNG…</translation>
    </message>
    <message>
        <source>Export as PDF…</source>
        <translation>导出为 PDF…</translation>
    </message>
    <message>
        <source>Export data as CSV…</source>
        <translation>导出数据为 CSV…</translation>
    </message>
    <message>
        <source>Show everything</source>
        <translation>显示全部</translation>
    </message>
    <message>
        <source>Epoch</source>
        <translation>轮次</translation>
    </message>
    <message>
        <source>Training loss</source>
        <translation>训练损失</translation>
    </message>
    <message>
        <source>Validation loss</source>
        <translation>验证损失</translation>
    </message>
    <message>
        <source>Macro-F1</source>
        <translation>宏平均 F1</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>学习率</translation>
    </message>
    <message>
        <source>Seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV 文件 (*.csv)</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 图像 (*.png)</translation>
    </message>
    <message>
        <source>Export the curves</source>
        <translation>导出曲线</translation>
    </message>
    <message>
        <source>Could not write %1</source>
        <translation>无法写入 %1</translation>
    </message>
    <message>
        <source>Select several runs (Ctrl or Shift) and press Compare</source>
        <translation>选择多个运行（按住 Ctrl 或 Shift），然后点“比较”</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>比较</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>预测</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Delete…</source>
        <translation>删除…</translation>
    </message>
    <message>
        <source>Run %1: %2, best epoch %3</source>
        <translation>运行 %1：%2，最佳轮次 %3</translation>
    </message>
    <message>
        <source>Delete run</source>
        <translation>删除运行</translation>
    </message>
    <message>
        <source>Delete the run %1 with its checkpoints and logs? This cannot be undone.</source>
        <translation>删除运行 %1 及其检查点和日志？此操作无法撤销。</translation>
    </message>
    <message>
        <source>Could not delete %1 completely</source>
        <translation>无法完全删除 %1</translation>
    </message>
    <message>
        <source>Changed since the previous run</source>
        <translation>相对上一次运行的改动</translation>
    </message>
    <message>
        <source>Latest validation</source>
        <translation>最近一次验证</translation>
    </message>
    <message>
        <source>Best epoch, validation split</source>
        <translation>最佳轮次，验证集</translation>
    </message>
    <message>
        <source>Best epoch, test split</source>
        <translation>最佳轮次，测试集</translation>
    </message>
    <message>
        <source>Shares of each true class</source>
        <translation>按真实类别显示比例</translation>
    </message>
    <message>
        <source>No best-epoch results yet: they come when the run has finished.</source>
        <translation>还没有最佳轮次的结果：运行完成后才会有。</translation>
    </message>
    <message>
        <source>Started</source>
        <translation>开始时间</translation>
    </message>
    <message>
        <source>Device</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>This matrix&apos;s samples are not known: the run&apos;s prediction files are missing (a run stopped before its test, or made by an older FuseLab).</source>
        <translation>不知道此矩阵对应的样本：该运行缺少预测文件（运行在测试前被停止，或由旧版 FuseLab 生成）。</translation>
    </message>
    <message>
        <source>best</source>
        <translation>最佳</translation>
    </message>
    <message>
        <source>Click a cell to see its samples</source>
        <translation>点击单元格查看其样本</translation>
    </message>
    <message>
        <source>Per epoch</source>
        <translation>各轮指标</translation>
    </message>
    <message>
        <source>Preparing the data…</source>
        <translation>正在准备数据…</translation>
    </message>
    <message>
        <source>Training…</source>
        <translation>正在训练…</translation>
    </message>
    <message>
        <source>Validating…</source>
        <translation>正在验证…</translation>
    </message>
    <message>
        <source>Testing the best epoch…</source>
        <translation>正在测试最佳轮次…</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Write the selected run&apos;s best checkpoint for other tools (safetensors, TorchScript)</source>
        <translation>把所选运行的最佳检查点写成其他工具可用的格式（safetensors、TorchScript）</translation>
    </message>
    <message>
        <source>Device: experiment&apos;s setting</source>
        <translation>设备：使用实验设置</translation>
    </message>
    <message>
        <source>epoch %1: training loss %2, validation RMSE %3, R² %4%5</source>
        <translation>第 %1 轮：训练损失 %2，验证 RMSE %3，R² %4%5</translation>
    </message>
    <message>
        <source>validation R²</source>
        <translation>验证 R²</translation>
    </message>
    <message>
        <source>validation Pearson r</source>
        <translation>验证 Pearson r</translation>
    </message>
    <message>
        <source>R² / r</source>
        <translation>R² / r</translation>
    </message>
    <message>
        <source>Validation RMSE</source>
        <translation>验证 RMSE</translation>
    </message>
    <message>
        <source>R²</source>
        <translation>R²</translation>
    </message>
    <message>
        <source>Finished: test RMSE %1, R² %2 (best epoch %3). Run folder: %4</source>
        <translation>完成：测试 RMSE %1，R² %2（最佳轮次 %3）。运行文件夹：%4</translation>
    </message>
    <message>
        <source>epoch %1: training loss %2, validation BLEU %3, CER %4%5</source>
        <translation>第 %1 轮：训练损失 %2，验证 BLEU %3，字符错误率 %4%5</translation>
    </message>
    <message>
        <source>epoch %1: training loss %2, validation BLEU %3, WER %4%5</source>
        <translation>第 %1 轮：训练损失 %2，验证 BLEU %3，词错误率 %4%5</translation>
    </message>
    <message>
        <source>validation BLEU</source>
        <translation>验证 BLEU</translation>
    </message>
    <message>
        <source>validation CER (%)</source>
        <translation>验证字符错误率（%）</translation>
    </message>
    <message>
        <source>validation WER (%)</source>
        <translation>验证词错误率（%）</translation>
    </message>
    <message>
        <source>BLEU / CER (%)</source>
        <translation>BLEU / 字符错误率（%）</translation>
    </message>
    <message>
        <source>BLEU / WER (%)</source>
        <translation>BLEU / 词错误率（%）</translation>
    </message>
    <message>
        <source>Validation BLEU</source>
        <translation>验证 BLEU</translation>
    </message>
    <message>
        <source>CER</source>
        <translation>字符错误率</translation>
    </message>
    <message>
        <source>WER</source>
        <translation>词错误率</translation>
    </message>
    <message>
        <source>Finished: test BLEU %1, WER %2 (best epoch %3). Run folder: %4</source>
        <translation>已完成：测试 BLEU %1，词错误率 %2（最佳轮次 %3）。运行文件夹：%4</translation>
    </message>
    <message>
        <source>Validation score</source>
        <translation>验证得分</translation>
    </message>
    <message>
        <source>Test score</source>
        <translation>测试得分</translation>
    </message>
    <message>
        <source>Accuracy; BLEU for runs that produce texts, R² for runs that predict a number</source>
        <translation>准确率；生成文本的运行为 BLEU，预测数值的运行为 R²</translation>
    </message>
</context>
<context>
    <name>fuselab::gui::TrainingWorker</name>
    <message>
        <source>%1 cannot be used (%2); training on the CPU instead.</source>
        <translation>无法使用 %1（%2）；改在 CPU 上训练。</translation>
    </message>
</context>
</TS>
