// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
#include "core/util/Progress.h"

#include <QObject>
#include <QString>
#include <QThread>

#include <atomic>
#include <functional>
#include <memory>

namespace fuselab {
namespace gui {

// Runs one piece of core work (a dataset scan, a health check) on a thread of its own. The
// work sees a ProgressObserver: its progress reaches the GUI as queued signals (throttled to
// about 20 a second) and cancel() is an atomic the work polls. finished() arrives on the GUI
// thread after the work returned; a destroyed task cancels its work and waits for it.
class BackgroundTask final : public QObject {
    Q_OBJECT
public:
    explicit BackgroundTask(QObject *parent = nullptr);
    ~BackgroundTask() override;

    // Starts `work` unless a task is running (returns false then).
    bool start(std::function<void(ProgressObserver &)> work);
    void cancel();
    bool isRunning() const { return m_thread != nullptr; }

Q_SIGNALS:
    void progress(const QString &stage, qint64 done, qint64 total);
    // ok: the work returned; cancelled: it stopped on cancel(); else error holds the message.
    void finished(bool ok, bool cancelled, const QString &error);
    // From the work's thread to onWorkEnded, on the GUI thread.
    void workEnded(bool ok, bool cancelled, const QString &error);

private:
    void onWorkEnded(bool ok, bool cancelled, const QString &error);
    class Observer;
    std::unique_ptr<Observer> m_observer;
    QThread *m_thread = nullptr;
};

} // namespace gui
} // namespace fuselab
