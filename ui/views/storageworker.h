#pragma once

#include "storage/storage.h"

#include <QMetaObject>
#include <QObject>
#include <QThreadPool>

#include <functional>
#include <memory>

namespace Dcs {

// How the editor pages (Partners, Traits, Segments) read and write off the GUI thread: `work`
// runs on the page's `pool` (one thread: reads and writes in the order asked, so a read after a
// save sees it), the pool thread's read connection is released (pool threads come and go and
// their connection must not outlive the job), and `done` gets the result on `context`'s thread.
// The page waits for its pool before it is destroyed, so `context` is alive when the job ends;
// the queued call is dropped if it goes before it runs.
template <typename Result>
void runOnStorageWorker(QThreadPool &pool, Storage &storage, QObject *context,
                        std::function<Result()> work, std::function<void(Result)> done)
{
    pool.start([&storage, context, work = std::move(work), done = std::move(done)] {
        auto result = std::make_shared<Result>(work());
        storage.releaseReader();
        QMetaObject::invokeMethod(
            context, [done, result] { done(std::move(*result)); }, Qt::QueuedConnection);
    });
}

} // namespace Dcs
