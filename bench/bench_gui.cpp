// SPDX-License-Identifier: GPL-3.0-or-later
// The GUI's responsiveness while it trains: the main window with every live view open
// trains EXPERIMENT in its dock while a probe timer (every 4 ms) measures how late the GUI
// thread serves it. Prints the probe's lateness percentiles and the run's training
// samples/s (from its metrics.csv), to set beside the same experiment trained by
// fuselab-cli with no GUI (bench/run_gui_bench.sh does both, interleaved). Also the time
// to replot a curve of 100,000 points.
//
//   QT_QPA_PLATFORM=offscreen build/bin/bench_gui EXPERIMENT [--no-probe] [--replot-only]
#include "core/document/RunFolder.h"
#include "widgets/MainWindow.h"
#include "widgets/QCustomPlotWrapper.h"
#include "widgets/training/TrainingPanel.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QStandardPaths>
#include <QTimer>

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace {

double percentile(std::vector<double> v, double q)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * double(v.size() - 1) + 0.5))];
}

// Replot time of one graph with n points, median of 5, in ms.
double replotMs(int n)
{
    QCustomPlot plot;
    plot.resize(900, 400);
    QVector<double> x(n), y(n);
    for (int i = 0; i < n; ++i) {
        x[i] = i;
        y[i] = std::sin(i * 0.01) + 0.1 * std::sin(i * 1.7);
    }
    plot.addGraph()->setData(x, y, true);
    plot.rescaleAxes();
    std::vector<double> times;
    for (int k = 0; k < 6; ++k) {
        QElapsedTimer t;
        t.start();
        plot.replot(QCustomPlot::rpImmediateRefresh);
        if (k > 0) // the first draws caches
            times.push_back(t.nsecsElapsed() / 1e6);
    }
    return percentile(times, 0.5);
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true); // never the user's settings
    const QStringList args = app.arguments();
    std::printf("replot 100,000 points: %.1f ms (1,000 points: %.2f ms)\n", replotMs(100000), replotMs(1000));
    if (args.size() < 2 || args[1].startsWith(QLatin1String("--")) || args.contains(QStringLiteral("--replot-only")))
        return 0;

    fuselab::gui::MainWindow window;
    window.resize(1920, 1080);
    window.show();
    window.openPath(args[1]);
    fuselab::gui::TrainingPanel *panel = window.trainingPanel();
    std::vector<double> lateness;
    QElapsedTimer clock;
    qint64 last = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(4);
    QObject::connect(&probe, &QTimer::timeout, [&] {
        const qint64 now = clock.nsecsElapsed();
        if (last > 0)
            lateness.push_back(std::max(0.0, (now - last) / 1e6 - 4.0));
        last = now;
    });
    clock.start();
    // --no-probe: the GUI alone, for its throughput (the probe's 250 wake-ups a second
    // preempt a trainer thread too).
    const bool probing = !args.contains(QStringLiteral("--no-probe"));
    if (probing)
        probe.start();
    if (!panel->start(args[1])) {
        std::fprintf(stderr, "bench_gui: could not start training\n");
        return 1;
    }
    QElapsedTimer wall;
    wall.start();
    rusage before{}, beforeAll{};
    getrusage(RUSAGE_THREAD, &before);
    getrusage(RUSAGE_SELF, &beforeAll);
    // A real event loop, as the app's exec(): processEvents(flags, maxtime) ignores
    // WaitForMoreEvents and would spin the GUI thread at 100% of a core.
    QEventLoop loop;
    QTimer done;
    QObject::connect(&done, &QTimer::timeout, [&] {
        if (!panel->isRunning())
            loop.quit();
    });
    done.start(100);
    loop.exec();
    probe.stop();
    rusage after{}, afterAll{};
    getrusage(RUSAGE_THREAD, &after);
    getrusage(RUSAGE_SELF, &afterAll);
    const auto cpu = [](const rusage &a, const rusage &b) {
        return (b.ru_utime.tv_sec - a.ru_utime.tv_sec) + (b.ru_stime.tv_sec - a.ru_stime.tv_sec) +
               ((b.ru_utime.tv_usec - a.ru_utime.tv_usec) + (b.ru_stime.tv_usec - a.ru_stime.tv_usec)) / 1e6;
    };
    const double seconds = wall.nsecsElapsed() / 1e9;
    std::printf("GUI thread CPU %.1f s of %.1f s wall (%.1f%% of one core); whole process %.1f s CPU\n", cpu(before, after), seconds,
                100.0 * cpu(before, after) / seconds, cpu(beforeAll, afterAll));
    const fuselab::RunFolder run(panel->lastRunDir().toStdString());
    std::vector<double> rates;
    for (const fuselab::EpochRow &r : run.readMetrics())
        rates.push_back(r.samplesPerSecond);
    std::printf("GUI run %s: %zu epochs, training %.1f samples/s (median over epochs)\n", panel->lastRunDir().toUtf8().constData(),
                rates.size(), percentile(rates, 0.5));
    if (probing)
        std::printf("probe lateness over %zu ticks: p50 %.2f ms, p99 %.2f ms, max %.1f ms\n", lateness.size(), percentile(lateness, 0.5),
                percentile(lateness, 0.99), lateness.empty() ? 0.0 : *std::max_element(lateness.begin(), lateness.end()));
    return 0;
}
