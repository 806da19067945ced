// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/ImageDecoder.h"

#include <opencv2/core.hpp>
#include <opencv2/core/utils/logger.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <cstring>
#include <mutex>

namespace fuselab {

void useSingleThreadedOpenCv()
{
    static std::once_flag once;
    std::call_once(once, [] {
        cv::setNumThreads(1);
        cv::utils::logging::setLogLevel(cv::utils::logging::LOG_LEVEL_SILENT);
    });
}

namespace {

bool checkHeader(std::string_view bytes, std::int64_t maxPixels, ImageHeader &h, Message *error)
{
    h = probeImage(bytes);
    if (!h.error.empty()) {
        if (error) *error = h.error;
        return false;
    }
    if (h.width > 0 && h.height > 0 && h.width > maxPixels / h.height) { // no product: it could overflow
        if (error)
            *error = Message(FL_TR("Media", "image header claims %1x%2 pixels, over the limit of %3; refused before decoding"),
                             std::to_string(h.width), std::to_string(h.height), std::to_string(maxPixels));
        return false;
    }
    return true;
}

cv::Mat decodeMat(std::string_view bytes, Message *error, int flags = cv::IMREAD_UNCHANGED)
{
    cv::Mat m;
    try {
        const cv::Mat buf(1, static_cast<int>(bytes.size()), CV_8U, const_cast<char *>(bytes.data()));
        m = cv::imdecode(buf, flags | cv::IMREAD_IGNORE_ORIENTATION);
    } catch (const cv::Exception &e) {
        if (error) *error = Message(FL_TR("Media", "decoder failed: %1"), e.err);
        return {};
    }
    if (m.empty() && error)
        *error = Message(FL_TR("Media", "the decoder could not read the image data (corrupt or unsupported variant)"));
    return m;
}

// Converts to the wanted channel count (RGB order) and depth.
cv::Mat convert(const cv::Mat &in, int channels, int bitDepth)
{
    cv::Mat m = in;
    if (m.depth() != CV_8U && m.depth() != CV_16U) {
        cv::Mat f;
        m.convertTo(f, CV_32F);
        double lo, hi;
        cv::minMaxLoc(f.reshape(1), &lo, &hi);
        f.convertTo(m, CV_16U, hi > lo ? 65535.0 / (hi - lo) : 1.0, hi > lo ? -lo * 65535.0 / (hi - lo) : 0.0);
    }
    cv::Mat c;
    const int src = m.channels();
    if (channels == 1) {
        if (src == 1) c = m;
        else if (src == 2) { std::vector<cv::Mat> parts; cv::split(m, parts); c = parts[0]; }
        else if (src == 3) cv::cvtColor(m, c, cv::COLOR_BGR2GRAY);
        else cv::cvtColor(m, c, cv::COLOR_BGRA2GRAY);
    } else {
        if (src == 1) cv::cvtColor(m, c, cv::COLOR_GRAY2RGB);
        else if (src == 2) { std::vector<cv::Mat> parts; cv::split(m, parts); cv::cvtColor(parts[0], c, cv::COLOR_GRAY2RGB); }
        else if (src == 3) cv::cvtColor(m, c, cv::COLOR_BGR2RGB);
        else cv::cvtColor(m, c, cv::COLOR_BGRA2RGB);
    }
    const int wanted = bitDepth > 8 ? CV_16U : CV_8U;
    if (c.depth() != wanted) {
        cv::Mat d;
        c.convertTo(d, wanted, wanted == CV_8U ? 1.0 / 257.0 : 257.0);
        c = d;
    }
    return c;
}

cv::Mat resize(const cv::Mat &m, const ImageSettings &s)
{
    if (m.cols == s.width && m.rows == s.height)
        return m;
    cv::Mat out;
    if (s.resize == ResizeMode::Stretch) {
        const bool shrink = m.cols > s.width || m.rows > s.height;
        cv::resize(m, out, cv::Size(s.width, s.height), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
        return out;
    }
    const double scale = std::min(double(s.width) / m.cols, double(s.height) / m.rows);
    const int w = std::max(1, std::min(s.width, int(m.cols * scale + 0.5)));
    const int h = std::max(1, std::min(s.height, int(m.rows * scale + 0.5)));
    cv::Mat scaled;
    cv::resize(m, scaled, cv::Size(w, h), 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    const int left = (s.width - w) / 2, top = (s.height - h) / 2;
    cv::copyMakeBorder(scaled, out, top, s.height - h - top, left, s.width - w - left, cv::BORDER_CONSTANT, cv::Scalar::all(0));
    return out;
}

void writeChw(const cv::Mat &m, void *out)
{
    const int c = m.channels();
    const std::size_t plane = static_cast<std::size_t>(m.rows) * m.cols;
    const std::size_t elem = m.elemSize1();
    auto *dst = static_cast<std::uint8_t *>(out);
    if (c == 1 && m.isContinuous()) {
        std::memcpy(dst, m.data, plane * elem);
        return;
    }
    std::vector<cv::Mat> planes;
    cv::split(m, planes);
    for (int k = 0; k < c; ++k) {
        const cv::Mat p = planes[k].isContinuous() ? planes[k] : planes[k].clone();
        std::memcpy(dst + k * plane * elem, p.data, plane * elem);
    }
}

// imdecode flags for a JPEG decoded at 1/reduction of its size, in the wanted channels.
int reducedFlags(int reduction, int channels)
{
    if (channels == 1)
        return reduction == 8 ? cv::IMREAD_REDUCED_GRAYSCALE_8 : reduction == 4 ? cv::IMREAD_REDUCED_GRAYSCALE_4 : cv::IMREAD_REDUCED_GRAYSCALE_2;
    return reduction == 8 ? cv::IMREAD_REDUCED_COLOR_8 : reduction == 4 ? cv::IMREAD_REDUCED_COLOR_4 : cv::IMREAD_REDUCED_COLOR_2;
}

} // namespace

int jpegReduction(const ImageHeader &h, const ImageSettings &s)
{
    if (h.format != "jpeg" || h.width <= 0 || h.height <= 0 || h.bitDepth != 8)
        return 1;
    for (int r : {8, 4, 2})
        if ((h.width + r - 1) / r >= s.width && (h.height + r - 1) / r >= s.height)
            return r;
    return 1;
}

bool validateImage(std::string_view bytes, std::int64_t maxPixels, ImageHeader *header, Message *error)
{
    ImageHeader h;
    if (!checkHeader(bytes, maxPixels, h, error)) {
        if (header) *header = h;
        return false;
    }
    const cv::Mat m = decodeMat(bytes, error);
    if (!m.empty()) {
        h.width = m.cols;
        h.height = m.rows;
        if (h.channels == 0)
            h.channels = m.channels();
        h.bitDepth = m.depth() == CV_8U ? 8 : m.depth() == CV_16U ? 16 : 32;
    }
    if (header) *header = h;
    return !m.empty();
}

bool decodeImage(std::string_view bytes, const ImageSettings &settings, int channels, int bitDepth, void *out,
                 Message *error, ImageHeader *header)
{
    ImageHeader h;
    const bool ok = checkHeader(bytes, settings.maxPixels, h, error);
    if (header) *header = h;
    if (!ok)
        return false;
    try {
        const int reduction = (channels == 1 || channels == 3) && bitDepth == 8 ? jpegReduction(h, settings) : 1;
        const cv::Mat m = decodeMat(bytes, error, reduction > 1 ? reducedFlags(reduction, channels) : cv::IMREAD_UNCHANGED);
        if (m.empty())
            return false;
        writeChw(resize(convert(m, channels, bitDepth), settings), out);
        return true;
    } catch (const cv::Exception &e) {
        if (error) *error = Message(FL_TR("Media", "image conversion failed: %1"), e.err);
        return false;
    }
}

void resizeGrey8(const std::uint8_t *pixels, int rows, int cols, const ImageSettings &settings, int channels,
                 int bitDepth, void *out)
{
    const cv::Mat m(rows, cols, CV_8U, const_cast<std::uint8_t *>(pixels));
    if (channels == 1 && bitDepth == 8 && rows == settings.height && cols == settings.width) {
        std::memcpy(out, pixels, static_cast<std::size_t>(rows) * cols);
        return;
    }
    writeChw(resize(convert(m, channels, bitDepth), settings), out);
}

} // namespace fuselab
