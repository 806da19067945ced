// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/ConfusionImage.h"

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>

namespace fuselab {

namespace {
std::string label(const std::vector<std::string> &classes, std::size_t c)
{
    const std::string &name = c < classes.size() ? classes[c] : std::string();
    const bool ascii = !name.empty() && std::all_of(name.begin(), name.end(), [](char ch) { return ch >= 32 && ch < 127; });
    std::string s = ascii ? name : std::to_string(c);
    if (s.size() > 14)
        s = s.substr(0, 13) + "~";
    return s;
}
} // namespace

PngImage confusionMatrixPng(const std::vector<std::vector<std::int64_t>> &confusion, const std::vector<std::string> &classes)
{
    const int C = static_cast<int>(confusion.size());
    const int cell = C <= 12 ? 44 : C <= 30 ? 28 : 16;
    const double font = cell >= 44 ? 0.4 : 0.3;
    int labelWidth = 0;
    for (int c = 0; c < C; ++c) {
        int base = 0;
        labelWidth = std::max(labelWidth, cv::getTextSize(label(classes, static_cast<std::size_t>(c)), cv::FONT_HERSHEY_SIMPLEX, font, 1, &base).width);
    }
    {
        int base = 0; // room for the corner's caption too
        labelWidth = std::max(labelWidth, cv::getTextSize("true \\ predicted", cv::FONT_HERSHEY_SIMPLEX, font * 0.9, 1, &base).width);
    }
    const int left = labelWidth + 10, top = labelWidth + 10;
    cv::Mat img(top + C * cell + 4, left + C * cell + 4, CV_8UC3, cv::Scalar(255, 255, 255));
    cv::Mat shares(1, std::max(1, C * C), CV_8UC1, cv::Scalar(0));
    for (int t = 0; t < C; ++t) {
        std::int64_t row = 0;
        for (std::int64_t v : confusion[static_cast<std::size_t>(t)])
            row += v;
        for (int p = 0; p < C && p < static_cast<int>(confusion[static_cast<std::size_t>(t)].size()); ++p)
            shares.at<std::uint8_t>(0, t * C + p) =
                row > 0 ? static_cast<std::uint8_t>(255.0 * double(confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)]) / double(row) + 0.5) : 0;
    }
    cv::Mat colours;
    cv::applyColorMap(shares, colours, cv::COLORMAP_VIRIDIS);
    for (int t = 0; t < C; ++t)
        for (int p = 0; p < C; ++p) {
            const cv::Rect r(left + p * cell, top + t * cell, cell - 1, cell - 1);
            const cv::Vec3b bgr = colours.at<cv::Vec3b>(0, t * C + p);
            cv::rectangle(img, r, cv::Scalar(bgr[0], bgr[1], bgr[2]), cv::FILLED);
            if (cell >= 28) {
                const std::string n = std::to_string(confusion[static_cast<std::size_t>(t)].size() > static_cast<std::size_t>(p)
                                                         ? confusion[static_cast<std::size_t>(t)][static_cast<std::size_t>(p)]
                                                         : 0);
                int base = 0;
                const cv::Size s = cv::getTextSize(n, cv::FONT_HERSHEY_SIMPLEX, font, 1, &base);
                const bool bright = shares.at<std::uint8_t>(0, t * C + p) > 150; // viridis turns yellow
                cv::putText(img, n, {r.x + (cell - s.width) / 2, r.y + (cell + s.height) / 2}, cv::FONT_HERSHEY_SIMPLEX, font,
                            bright ? cv::Scalar(0, 0, 0) : cv::Scalar(255, 255, 255), 1, cv::LINE_AA);
            }
        }
    cv::Mat rotated(labelWidth + 10, C * cell, CV_8UC3, cv::Scalar(255, 255, 255)); // column labels, drawn then turned upright
    for (int c = 0; c < C; ++c) {
        const std::string s = label(classes, static_cast<std::size_t>(c));
        int base = 0;
        const cv::Size size = cv::getTextSize(s, cv::FONT_HERSHEY_SIMPLEX, font, 1, &base);
        cv::putText(img, s, {left - 6 - size.width, top + c * cell + (cell + size.height) / 2}, cv::FONT_HERSHEY_SIMPLEX, font,
                    cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    }
    cv::Mat labels(C * cell, labelWidth + 10, CV_8UC3, cv::Scalar(255, 255, 255));
    for (int c = 0; c < C; ++c) {
        const std::string s = label(classes, static_cast<std::size_t>(c));
        int base = 0;
        const cv::Size size = cv::getTextSize(s, cv::FONT_HERSHEY_SIMPLEX, font, 1, &base);
        cv::putText(labels, s, {4, c * cell + (cell + size.height) / 2}, cv::FONT_HERSHEY_SIMPLEX, font, cv::Scalar(0, 0, 0), 1, cv::LINE_AA);
    }
    cv::rotate(labels, rotated, cv::ROTATE_90_COUNTERCLOCKWISE); // names read bottom to top above each column
    rotated.copyTo(img(cv::Rect(left, 0, rotated.cols, rotated.rows)));
    // The corner says which way the matrix reads.
    cv::putText(img, "true \\ predicted", {4, top - 6}, cv::FONT_HERSHEY_SIMPLEX, font * 0.9, cv::Scalar(90, 90, 90), 1, cv::LINE_AA);
    std::vector<std::uint8_t> png;
    cv::imencode(".png", img, png);
    return {std::string(png.begin(), png.end()), img.cols, img.rows};
}

} // namespace fuselab
