// SPDX-License-Identifier: GPL-3.0-or-later
#include "widgets/BackgroundTask.h"

#include "core/util/Error.h"
#include "widgets/GuiText.h"
#include "widgets/ThreadHandoff.h"

#include <QElapsedTimer>

namespace fuselab {
namespace gui {

class BackgroundTask::Observer final : public ProgressObserver {
public:
    explicit Observer(BackgroundTask *task) : m_task(task) { m_clock.start(); }
    void onProgress(const std::string &stage, std::int64_t done, std::int64_t total) override
    {
        // Called on the worker thread: hand a copy to the GUI thread, at most every 50 ms.
        if (m_clock.elapsed() < 50 && done != total)
            return;
        m_clock.restart();
        // A signal, queued by Qt to each receiver (all live on the GUI thread), not a lambda:
        // Qt copies signal arguments itself, so ThreadSanitizer sees no unsynchronised copy.
        // The task outlives its thread (its destructor waits), so m_task is valid here.
        const QString text = QString::fromStdString(stage);
        handoffRelease(); // ThreadHandoff.h
        Q_EMIT m_task->progress(text, done, total);
    }
    bool isCancelled() const override { return cancelled; }
    std::atomic<bool> cancelled{false};

private:
    BackgroundTask *m_task;
    QElapsedTimer m_clock;
};

BackgroundTask::BackgroundTask(QObject *parent) : QObject(parent)
{
    connect(this, &BackgroundTask::workEnded, this, &BackgroundTask::onWorkEnded, Qt::QueuedConnection);
}

void BackgroundTask::onWorkEnded(bool ok, bool cancelled, const QString &error)
{
    m_thread->wait();
    delete m_thread;
    m_thread = nullptr;
    Q_EMIT finished(ok, cancelled, error);
}

BackgroundTask::~BackgroundTask()
{
    if (m_thread) {
        cancel();
        m_thread->wait();
        delete m_thread;
    }
}

bool BackgroundTask::start(std::function<void(ProgressObserver &)> work)
{
    if (m_thread)
        return false;
    m_observer = std::make_unique<Observer>(this);
    Observer *observer = m_observer.get();
    m_thread = QThread::create([this, observer, work = std::move(work)] {
        bool ok = false, cancelled = false;
        QString error;
        try {
            work(*observer);
            ok = true;
        } catch (const Cancelled &) {
            cancelled = true;
        } catch (const std::exception &e) {
            error = translated(messageOf(e)); // an Error's message translated, any other exception's text as it is
        }
        handoffRelease(); // the work's results, to the GUI thread (ThreadHandoff.h)
        Q_EMIT workEnded(ok, cancelled, error); // queued to onWorkEnded on the GUI thread
    });
    m_thread->setObjectName(QStringLiteral("fuselab-task"));
    m_thread->start();
    return true;
}

void BackgroundTask::cancel()
{
    if (m_observer)
        m_observer->cancelled = true;
}

} // namespace gui
} // namespace fuselab
