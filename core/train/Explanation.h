// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Why a trained model predicts what it does for one sample, for front ends (no LibTorch
// headers): core/train/Explain.h computes it.
#include <cstdint>
#include <string>
#include <vector>

namespace fuselab {

class ProgressObserver;

struct GradCamMap {
    std::string node;   // the image encoder block
    int column = -1;    // the dataset column (modality) it reads
    int height = 0, width = 0;
    std::vector<float> values; // row-major [height][width], in [0, 1]
};

// An image input as the model saw it (the cache's pixels, normalisation undone), to draw a
// map over.
struct InputPicture {
    int column = -1;
    int channels = 0, height = 0, width = 0;
    std::vector<std::uint8_t> pixels; // row-major [height][width][channels]
};

// Occlusion over an audio input's log-mel (Zeiler & Fergus, 2014): the spectrogram cut into
// a grid of frequency bands x time segments; each cell in turn replaced by the clip's
// background (each band's median over time) and the explained class's probability read again. values[band][segment]
// is the drop in that probability (negative: the cell spoke against the class), bands from
// low frequencies up.
struct OcclusionMap {
    int column = -1;
    int bands = 0, segments = 0;     // the grid
    int mels = 0, frames = 0;        // the log-mel it covers
    std::vector<float> values;       // [bands][segments]
    std::vector<float> logMel;       // the input as the model saw it, [mels][frames] (normalised)
};

// Leave-one-out over a text input: each token removed in turn (the rest closing up, as if
// it had never been written) and the explained class's probability read again; the drop is
// the token's importance (negative: it spoke against the class).
struct TokenImportance {
    int column = -1;
    std::vector<std::string> tokens; // the tokenizer's pieces, in order (padding left out)
    std::vector<float> importance;
};

// The weight a fusion gave each modality: the attention fusion's softmax weights, the gated
// fusion's gate values (averaged over features), the learned late fusion's weights.
struct ModalityWeights {
    std::string node, kind;              // kind: "attention", "gated" or "late"
    std::vector<std::string> modalities; // the dataset columns behind its inputs, in port order
    std::vector<float> weights;          // same order; sums to 1 over the modalities present
};

// The sample with one modality removed (the model's missing-modality mask).
struct ModalityEffect {
    int column = -1;
    std::string modality;
    float probability = 0; // of the explained class, without it
    int predicted = -1;    // the class predicted without it
};

struct SampleExplanation {
    std::int64_t row = 0;
    int label = -1, predicted = -1, target = -1; // target: the class explained
    std::vector<float> probabilities;
    std::vector<GradCamMap> maps; // one per image encoder
    std::vector<InputPicture> pictures; // the image inputs the maps cover
    std::vector<OcclusionMap> audio;    // one per audio input the model reads
    std::vector<TokenImportance> text;  // one per text input the model reads
    std::vector<ModalityWeights> weights; // one per fusion with explicit modality weights
    std::vector<ModalityEffect> without;  // each modality it has removed in turn (models reading several)
};

// The explanation as JSON text, what `fuselab-cli explain --json` prints (class indices
// given by name from `classes`): row, label, predicted, explained, probabilities,
// grad_cam, audio_occlusion, token_importance, modality_weights, without.
std::string explanationJson(const SampleExplanation &explanation, const std::vector<std::string> &classes);

// A fusion's modality weights averaged over a split's samples of each true class (and over
// all of them): does the fusion lean on one modality, and for which classes?
struct FusionWeightsByClass {
    std::string node, kind;
    std::vector<std::string> modalities;
    std::vector<std::vector<double>> perClass; // [class][modality]; a class without samples has zeros
    std::vector<std::int64_t> samples;         // per class
    std::vector<double> overall;               // [modality]
};

// A tensor-cache row of a run's dataset through the run's best checkpoint: the
// probabilities and a Grad-CAM map per image encoder for `target` (-1: the predicted
// class). Error naming the row when it is not in the cache.
SampleExplanation explainSample(const std::string &runDir, const std::string &cacheDir, std::int64_t row, int target = -1,
                                const std::string &device = "cpu");

// What a sequence decoder looked at while it produced one sample's text: its attention
// over the memory (head.rnn_decoder; a CTC head reads each frame in place and the
// Transformer decoder does not expose its cross-attention, so both are refused).
struct SequenceAttention {
    std::int64_t row = -1;
    std::string reference, hypothesis; // the dataset's target text and the greedy decoding
    std::vector<std::string> outputs;  // the tokens produced, one per step ("<eos>" last when produced)
    // The open memory slots (padding and missing inputs left out), in memory order: a text
    // column's tokens by their text ("<unk>" for unknown ones), a vector input by its column's
    // name, a sequence or map of several slots by its column's name and position ("image 3");
    // a slot of a fused input (column -1) by the head input's number and position ("2.3").
    std::vector<std::string> slots;
    std::vector<int> slotColumns;            // each slot's dataset column (-1: a fusion of several)
    std::vector<std::vector<double>> weights; // [outputs][slots]; each step's weights sum to 1
};

// A tensor-cache row through the run's best checkpoint, decoded greedily, with the decoder's
// attention at each step. Error naming the reason when the model has no attention to show.
SequenceAttention attendSample(const std::string &runDir, const std::string &cacheDir, std::int64_t row, const std::string &device = "cpu");

// The run's best checkpoint over a split ("val" or "test") of its cache: the modality
// weights of every fusion that has them, per true class. Empty when the model has no such
// fusion. Single-label runs; the observer may cancel.
std::vector<FusionWeightsByClass> fusionWeightsByClass(const std::string &runDir, const std::string &cacheDir,
                                                       const std::string &split = "test", const std::string &device = "cpu",
                                                       ProgressObserver *observer = nullptr);

} // namespace fuselab
