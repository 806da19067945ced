// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/model/blocks/Builtin.h"

#include "core/model/BlockCatalogue.h"
#include "core/model/blocks/SequenceHeads.h"

namespace fuselab {

const BlockRegistry &builtinBlocks()
{
    static const BlockRegistry registry = [] {
        BlockRegistry r;
        for (Modality m : {Modality::Image, Modality::Text, Modality::Audio})
            r.add(makeInputBlock(m));
        r.add(makeCnnEncoderBlock());
        r.add(makeResNetEncoderBlock());
        r.add(makeMlpEncoderBlock());
        r.add(makeRnnEncoderBlock());
        r.add(makeTransformerEncoderBlock());
        r.add(makeAudioCnnEncoderBlock());
        r.add(makeConv1dEncoderBlock());
        r.add(makeAutoencoderBlock());
        r.add(makeTorchScriptEncoderBlock());
        r.add(makeConcatFusionBlock());
        r.add(makeLateFusionBlock());
        r.add(makeAttentionFusionBlock());
        r.add(makeCrossAttentionFusionBlock());
        r.add(makeBottleneckFusionBlock());
        r.add(makeGatedFusionBlock());
        r.add(makeTensorFusionBlock());
        r.add(makeLowRankFusionBlock());
        r.add(makeFilmFusionBlock());
        r.add(makeAutoencoderFusionBlock());
        r.add(makeClassificationHeadBlock(false));
        r.add(makeClassificationHeadBlock(true));
        r.add(makeRegressionHeadBlock());
        r.add(makeRnnDecoderBlock());
        r.add(makeTransformerDecoderBlock());
        r.add(makeCtcHeadBlock());
        r.add(makeOutputBlock());
        return r;
    }();
    return registry;
}

} // namespace fuselab
