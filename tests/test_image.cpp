// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/media/ImageDecoder.h"
#include "core/media/ImageProbe.h"
#include "tests/support/TestFiles.h"

#include <QTest>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

using namespace fuselab;
using namespace fuselab::test;

class TestImage final : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void probeReadsEveryFormatsHeader_data()
    {
        QTest::addColumn<QString>("ext");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("channels");
        QTest::addColumn<int>("depth");
        QTest::newRow("png grey") << ".png" << "png" << 1 << 8;
        QTest::newRow("png rgb") << ".png" << "png" << 3 << 8;
        QTest::newRow("png rgba") << ".png" << "png" << 4 << 8;
        QTest::newRow("png 16-bit") << ".png" << "png" << 3 << 16;
        QTest::newRow("jpeg") << ".jpg" << "jpeg" << 3 << 8;
        QTest::newRow("jpeg grey") << ".jpg" << "jpeg" << 1 << 8;
        QTest::newRow("bmp") << ".bmp" << "bmp" << 3 << 8;
        QTest::newRow("webp") << ".webp" << "webp" << 3 << 8;
        QTest::newRow("tiff") << ".tif" << "tiff" << 3 << 8;
        QTest::newRow("tiff 16-bit grey") << ".tif" << "tiff" << 1 << 16;
    }
    void probeReadsEveryFormatsHeader()
    {
        QFETCH(QString, ext);
        QFETCH(QString, format);
        QFETCH(int, channels);
        QFETCH(int, depth);
        const std::string bytes = encodeImage(ext.toStdString(), 37, 21, channels, depth);
        const ImageHeader h = probeImage(bytes);
        QVERIFY2(h.error.empty(), h.error.str().c_str());
        QCOMPARE(QString::fromStdString(h.format), format);
        QCOMPARE(h.width, std::int64_t(37));
        QCOMPARE(h.height, std::int64_t(21));
        QCOMPARE(h.bitDepth, depth);
        // And it decodes, to the requested layout.
        ImageSettings s;
        s.width = 16;
        s.height = 8;
        std::vector<std::uint16_t> out(3 * 16 * 8);
        Message err;
        QVERIFY2(decodeImage(bytes, s, 3, 16, out.data(), &err), err.str().c_str());
    }

    void rgbOrderAndChwLayout()
    {
        // A pure red 4x2 image: OpenCV stores BGR, FuseLab must give R first.
        cv::Mat m(2, 4, CV_8UC3, cv::Scalar(0, 0, 255));
        std::vector<std::uint8_t> buf;
        cv::imencode(".png", m, buf);
        ImageSettings s;
        s.width = 4;
        s.height = 2;
        std::vector<std::uint8_t> out(3 * 8);
        QVERIFY(decodeImage(std::string(buf.begin(), buf.end()), s, 3, 8, out.data(), nullptr));
        for (int i = 0; i < 8; ++i) {
            QCOMPARE(int(out[i]), 255);     // R plane
            QCOMPARE(int(out[8 + i]), 0);   // G plane
            QCOMPARE(int(out[16 + i]), 0);  // B plane
        }
    }

    void greyToRgbAndRgbaToGrey()
    {
        cv::Mat grey(3, 3, CV_8UC1, cv::Scalar(100));
        std::vector<std::uint8_t> buf;
        cv::imencode(".png", grey, buf);
        ImageSettings s;
        s.width = 3;
        s.height = 3;
        std::vector<std::uint8_t> rgb(27);
        QVERIFY(decodeImage(std::string(buf.begin(), buf.end()), s, 3, 8, rgb.data(), nullptr));
        for (auto v : rgb)
            QCOMPARE(int(v), 100);
        cv::Mat rgba(3, 3, CV_8UC4, cv::Scalar(50, 50, 50, 0)); // fully transparent: alpha dropped
        cv::imencode(".png", rgba, buf);
        std::vector<std::uint8_t> g(9);
        QVERIFY(decodeImage(std::string(buf.begin(), buf.end()), s, 1, 8, g.data(), nullptr));
        QCOMPARE(int(g[4]), 50);
    }

    void sixteenBitKeepsPrecision()
    {
        cv::Mat m(2, 2, CV_16UC1, cv::Scalar(1000)); // 1000/65535: would round to 4/255 in 8 bits
        std::vector<std::uint8_t> buf;
        cv::imencode(".png", m, buf);
        ImageSettings s;
        s.width = 2;
        s.height = 2;
        std::vector<std::uint16_t> out(4);
        QVERIFY(decodeImage(std::string(buf.begin(), buf.end()), s, 1, 16, out.data(), nullptr));
        QCOMPARE(int(out[0]), 1000);
    }

    void padKeepsAspectRatio()
    {
        cv::Mat m(10, 20, CV_8UC1, cv::Scalar(200)); // wide
        std::vector<std::uint8_t> buf;
        cv::imencode(".png", m, buf);
        ImageSettings s;
        s.width = 8;
        s.height = 8;
        s.resize = ResizeMode::Pad;
        std::vector<std::uint8_t> out(64);
        QVERIFY(decodeImage(std::string(buf.begin(), buf.end()), s, 1, 8, out.data(), nullptr));
        // Scaled to 8x4, centred: rows 0-1 and 6-7 are padding.
        QCOMPARE(int(out[0 * 8 + 3]), 0);
        QCOMPARE(int(out[1 * 8 + 3]), 0);
        QCOMPARE(int(out[2 * 8 + 3]), 200);
        QCOMPARE(int(out[5 * 8 + 3]), 200);
        QCOMPARE(int(out[6 * 8 + 3]), 0);
        s.resize = ResizeMode::Stretch;
        QVERIFY(decodeImage(std::string(buf.begin(), buf.end()), s, 1, 8, out.data(), nullptr));
        QCOMPARE(int(out[0]), 200);
    }

    void jpegReductionFactor()
    {
        ImageSettings s; // 64x64
        auto header = [](const char *format, int w, int h) {
            ImageHeader x;
            x.format = format;
            x.width = w;
            x.height = h;
            return x;
        };
        QCOMPARE(jpegReduction(header("jpeg", 1024, 768), s), 8);
        QCOMPARE(jpegReduction(header("jpeg", 300, 200), s), 2);   // 1/4 would leave 50 rows
        QCOMPARE(jpegReduction(header("jpeg", 100, 100), s), 1);
        QCOMPARE(jpegReduction(header("jpeg", 505, 505), s), 8);   // libjpeg rounds up: 505 / 8 -> 64
        QCOMPARE(jpegReduction(header("jpeg", 640, 480), s), 4);   // 1/8 would leave 60 rows
        QCOMPARE(jpegReduction(header("png", 1024, 768), s), 1);   // only libjpeg scales while decoding
    }

    // A JPEG decoded at 1/8 scale and then resized gives what decoding it fully and
    // resizing gives, up to rounding: the scaled inverse DCT is a low-pass.
    void reducedJpegDecodingMatchesFullDecoding_data()
    {
        QTest::addColumn<int>("channels");
        QTest::newRow("rgb") << 3;
        QTest::newRow("grey") << 1;
    }
    void reducedJpegDecodingMatchesFullDecoding()
    {
        QFETCH(int, channels);
        cv::Mat photo(768, 1024, CV_8UC3);
        for (int y = 0; y < photo.rows; ++y)
            for (int x = 0; x < photo.cols; ++x) {
                const bool disc = (x - 600) * (x - 600) + (y - 300) * (y - 300) < 150 * 150;
                photo.at<cv::Vec3b>(y, x) = disc ? cv::Vec3b(40, 60 + y / 8, 220)
                                                 : cv::Vec3b(cv::saturate_cast<uchar>(x / 3 + (x * 7 + y * 13) % 17), cv::saturate_cast<uchar>(y / 2),
                                                             cv::saturate_cast<uchar>(128 + ((x / 40 + y / 40) % 2) * 60));
            }
        std::vector<uchar> jpeg, png;
        QVERIFY(cv::imencode(".jpg", photo, jpeg, {cv::IMWRITE_JPEG_QUALITY, 92}));
        const std::string jpegBytes(jpeg.begin(), jpeg.end());
        QCOMPARE(jpegReduction(probeImage(jpegBytes), ImageSettings()), 8);
        // The same pixels as the JPEG decodes to, losslessly: the full-decoding path.
        QVERIFY(cv::imencode(".png", cv::imdecode(jpeg, cv::IMREAD_COLOR), png));
        const std::string pngBytes(png.begin(), png.end());
        ImageSettings s;
        const std::size_t n = static_cast<std::size_t>(channels) * 64 * 64;
        std::vector<std::uint8_t> reduced(n), full(n);
        Message err;
        QVERIFY2(decodeImage(jpegBytes, s, channels, 8, reduced.data(), &err), err.str().c_str());
        QVERIFY2(decodeImage(pngBytes, s, channels, 8, full.data(), &err), err.str().c_str());
        double sum = 0;
        int worst = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const int d = std::abs(int(reduced[i]) - int(full[i]));
            sum += d;
            worst = std::max(worst, d);
        }
        const double mean = sum / double(n);
        qInfo("mean |difference| %.3f, max %d (of 255)", mean, worst);
        QVERIFY2(mean < 1.5 && worst <= 24, qPrintable(QString::number(mean) + " / " + QString::number(worst)));
    }

    void zeroByteFile()
    {
        QVERIFY(probeImage("").error.str().find("empty file") != std::string::npos);
        Message err;
        QVERIFY(!validateImage("", 1 << 20, nullptr, &err));
    }

    void truncatedPngAndJpeg()
    {
        const std::string png = encodeImage(".png", 64, 64, 3, 8, 1);
        const std::string jpg = encodeImage(".jpg", 64, 64, 3, 8, 1);
        Message err;
        QVERIFY(!validateImage(png.substr(0, png.size() / 2), 1 << 20, nullptr, &err));
        QVERIFY2(err.str().find("truncated PNG") != std::string::npos, err.str().c_str());
        QVERIFY(!validateImage(jpg.substr(0, jpg.size() / 2), 1 << 20, nullptr, &err));
        QVERIFY2(err.str().find("truncated JPEG") != std::string::npos, err.str().c_str());
        QVERIFY(!validateImage(png.substr(0, 20), 1 << 20, nullptr, &err)); // cut inside the header
        QVERIFY(validateImage(png, 1 << 20, nullptr, &err));
    }

    void textRenamedPng()
    {
        Message err;
        QVERIFY(!validateImage("hello, I am a text file\n", 1 << 20, nullptr, &err));
        QVERIFY2(err.str().find("holds text") != std::string::npos, err.str().c_str());
    }

    void pixelBombIsRefusedBeforeDecoding()
    {
        // A valid-looking PNG header claiming 100000 x 100000 pixels and nothing else.
        const std::string png = pngHeaderOnly(100000, 100000);
        const ImageHeader h = probeImage(png);
        QCOMPARE(h.width, std::int64_t(100000));
        QCOMPARE(h.height, std::int64_t(100000));
        Message err;
        ImageSettings s;
        std::vector<std::uint8_t> out(3 * 64 * 64);
        QVERIFY(!decodeImage(png, s, 3, 8, out.data(), &err));
        QVERIFY2(err.str().find("refused before decoding") != std::string::npos, err.str().c_str());
        QVERIFY(!validateImage(png, s.maxPixels, nullptr, &err));
    }

    void rawGreyResize()
    {
        std::vector<std::uint8_t> px(28 * 28, 77);
        ImageSettings s;
        s.width = 14;
        s.height = 14;
        std::vector<std::uint8_t> out(3 * 14 * 14);
        resizeGrey8(px.data(), 28, 28, s, 3, 8, out.data());
        QCOMPARE(int(out[0]), 77);
        QCOMPARE(int(out.back()), 77);
    }

    // Found by fuzz_image (docs/reliability.md): a TIFF whose first directory offset is
    // 0xFFFFFFFF wrapped "offset + 2" around and the probe read far outside the file.
    void fuzzRegressionTiffOffsetWraps()
    {
        const std::string bytes = test::readAll(FUSELAB_TEST_DATA_DIR "/fuzz/image/tiff-directory-offset-wraps");
        const ImageHeader h = probeImage(bytes);
        QCOMPARE(h.format, std::string("tiff"));
        QVERIFY2(h.error.str().find("truncated TIFF") != std::string::npos, h.error.str().c_str());
        ImageHeader v;
        Message error;
        QVERIFY(!validateImage(bytes, 1 << 22, &v, &error));
    }

    // Found by fuzz_image (UBSan): a PNM header of 2222222222222 x 222222225665 pixels made the
    // pixel-limit check multiply past 64 bits; it is refused as over the limit.
    void fuzzRegressionPixelCountOverflows()
    {
        const std::string bytes = test::readAll(FUSELAB_TEST_DATA_DIR "/fuzz/image/pnm-size-overflows");
        ImageHeader h;
        Message error;
        QVERIFY(!validateImage(bytes, 1 << 22, &h, &error));
        QVERIFY2(error.str().find("over the limit") != std::string::npos, error.str().c_str());
    }
};

QTEST_APPLESS_MAIN(TestImage)
#include "test_image.moc"
