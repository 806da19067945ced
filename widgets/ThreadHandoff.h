// SPDX-License-Identifier: GPL-3.0-or-later
// Happens-before edges that ThreadSanitizer cannot see (docs/reliability.md). Qt hands work
// between threads through its own futex-based locks inside the uninstrumented Qt libraries
// (posted events, QThreadPool's queue), so TSan takes every value handed over that way for a
// race. In a TSan build, handoffRelease() on the sending thread, just before a cross-thread
// signal, invokeMethod or pool job, and an acquire on every event Qt delivers (a Qt event
// hook, registered by the first release) state the edge Qt provides; a QThreadPool job, which
// no event delivers, calls handoffAcquire() itself. One anchor for all: the model is coarser than Qt's per-thread
// queues, never finer. Outside a TSan build these are empty.
#pragma once

#if defined(__SANITIZE_THREAD__)
#include <QtCore/qnamespace.h>
extern "C" void __tsan_acquire(void *addr);
extern "C" void __tsan_release(void *addr);
#endif

namespace fuselab {
namespace gui {

#if defined(__SANITIZE_THREAD__)
inline char g_handoffAnchor;
inline void handoffAcquire() { __tsan_acquire(&g_handoffAnchor); }
inline void handoffRelease()
{
    static const bool hooked = QInternal::registerCallback(QInternal::EventNotifyCallback, [](void **) {
        handoffAcquire();
        return false; // deliver the event as usual
    });
    (void)hooked;
    __tsan_release(&g_handoffAnchor);
}
#else
inline void handoffAcquire() {}
inline void handoffRelease() {}
#endif

} // namespace gui
} // namespace fuselab
