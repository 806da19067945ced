// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// TensorBoard event files written by hand (no TensorFlow, no protobuf library): TFRecord
// framing (uint64 length, masked CRC-32C of the length, the bytes, masked CRC-32C of the
// bytes, all little-endian) around tensorflow.Event protobufs: wall_time = 1 (double),
// step = 2 (int64), file_version = 3 (string), summary = 5 (Summary); Summary.value = 1;
// Summary.Value: tag = 1, simple_value = 2 (float), image = 4 (Image: height = 1,
// width = 2, colorspace = 3, encoded_image_string = 4), metadata = 9 (SummaryMetadata:
// plugin_data = 1 → PluginData: plugin_name = 1, content = 2). Hyper-parameters use the
// hparams plugin's HParamsPluginData (version = 1, session_start_info = 3 → hparams = 1,
// a map<string, google.protobuf.Value>: number_value = 2, string_value = 3, bool_value = 4).
#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <fstream>
#include <string>

namespace fuselab {

std::uint32_t crc32c(const void *data, std::size_t size);
std::uint32_t maskedCrc32c(const void *data, std::size_t size); // ((crc >> 15) | (crc << 17)) + 0xa282ead8

// Appends events to `dir`/events.out.tfevents.<seconds>.<host>.<pid>.fuselab; a resumed run
// opens a new file beside the old ones (TensorBoard reads them all).
class EventFileWriter {
public:
    explicit EventFileWriter(const std::string &dir);
    const std::string &path() const { return m_path; }
    void scalar(const std::string &tag, double value, std::int64_t step);
    // PNG bytes of an image (3 = RGB).
    void image(const std::string &tag, const std::string &png, int height, int width, std::int64_t step, int colorspace = 3);
    // Flat object of strings, numbers and booleans.
    void hparams(const nlohmann::json &values);
    void flush();

private:
    void write(const std::string &eventBytes);
    std::string m_path;
    std::ofstream m_out;
};

// One framed record (for tests and for the writer).
std::string tfRecord(const std::string &data);

} // namespace fuselab
