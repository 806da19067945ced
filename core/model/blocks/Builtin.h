// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/data/Dataset.h"
#include "core/graph/BlockType.h"

#include <memory>

namespace fuselab {

// Factories of the built-in block descriptors, one per block file.
std::unique_ptr<BlockType> makeInputBlock(Modality modality);
std::unique_ptr<BlockType> makeCnnEncoderBlock();
std::unique_ptr<BlockType> makeResNetEncoderBlock();
std::unique_ptr<BlockType> makeMlpEncoderBlock();
std::unique_ptr<BlockType> makeRnnEncoderBlock();
std::unique_ptr<BlockType> makeTransformerEncoderBlock();
std::unique_ptr<BlockType> makeAudioCnnEncoderBlock();
std::unique_ptr<BlockType> makeConv1dEncoderBlock();
std::unique_ptr<BlockType> makeAutoencoderBlock();
std::unique_ptr<BlockType> makeTorchScriptEncoderBlock();
std::unique_ptr<BlockType> makeConcatFusionBlock();
std::unique_ptr<BlockType> makeLateFusionBlock();
std::unique_ptr<BlockType> makeAttentionFusionBlock();
std::unique_ptr<BlockType> makeCrossAttentionFusionBlock();
std::unique_ptr<BlockType> makeBottleneckFusionBlock();
std::unique_ptr<BlockType> makeGatedFusionBlock();
std::unique_ptr<BlockType> makeTensorFusionBlock();
std::unique_ptr<BlockType> makeLowRankFusionBlock();
std::unique_ptr<BlockType> makeFilmFusionBlock();
std::unique_ptr<BlockType> makeAutoencoderFusionBlock();
std::unique_ptr<BlockType> makeClassificationHeadBlock(bool multiLabel);
std::unique_ptr<BlockType> makeRegressionHeadBlock();
std::unique_ptr<BlockType> makeOutputBlock();

} // namespace fuselab
