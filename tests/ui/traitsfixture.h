#pragma once

// Shared by the Traits page tests (header-only: each test is its own executable): a seeded
// event log written through the storage writer, exactly as the listener stores calls.

#include "storage/eventlog.h"
#include "storage/storage.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace TraitsFixture {

using namespace Dcs;

inline QByteArray visitor(int n)
{
    return QByteArray::number(n).rightJustified(38, '0');
}

// 1,200 events of 300 visitors over the last 100 days: sections, prices and a page. Visitor v
// reads c_section "sports" on every third event, prices grow with the event number.
inline bool seedEvents(Storage &storage, qint64 nowMs)
{
    static const char *const sections[] = {"sports", "news", "tech", "travel"};
    static const char *const pages[] = {"home", "product", "basket", "checkout", "article"};
    const WriteResult result = storage.writer().runAndWait(
        [nowMs](WriteContext &context, QString *error) {
            for (int i = 0; i < 1200; ++i) {
                EventRow row;
                row.timeMs = nowMs - qint64(i) * 2 * 3600 * 1000 - 1000;
                row.tid = "t";
                row.uuid = visitor(i % 300);
                row.signalValues = QByteArray("{\"c_section\":[\"") + sections[i % 4]
                                   + "\"],\"c_price\":[\"" + QByteArray::number(i % 250)
                                   + "\"],\"c_page\":[\"" + pages[i % 5] + "\"]}";
                if (!EventLog::write(context, row, error))
                    return false;
            }
            return true;
        });
    if (!result.ok)
        qWarning("%s", qPrintable(result.error));
    return result.ok;
}

} // namespace TraitsFixture
