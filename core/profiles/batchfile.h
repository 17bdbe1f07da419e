#pragma once

#include "partners/inbounditem.h"

#include <QByteArrayView>
#include <QHash>
#include <QLatin1String>
#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace Dcs {

// The name of an inbound batch file (dcs-api.md, "Batch inbound files"), as Audience Manager
// names its inbound files:
//   ftp_dpm_<DPID>[_<TARGET_DPID>]_<10-digit UTC epoch seconds>.(sync|overwrite)[.<n>][.gz]
// DPID is the data source whose user IDs the file holds: partner IDs are looked up among the
// IDs synced for it. TARGET_DPID (Audience Manager's DPID_TARGET_DATA_OWNER, for files of IDs
// that belong to another data source, such as device IDs) is the data source whose traits the
// file realizes; without it, DPID is both.
struct BatchFileName
{
    enum class Mode : quint8 { Sync, Overwrite };

    qint64 dpid = 0;
    std::optional<qint64> targetDpid;
    qint64 timestampSeconds = 0; // when the partner wrote the file, UTC
    Mode mode = Mode::Sync;
    std::optional<qint64> part; // .<n>: one part of a file split for size
    bool gzipped = false;

    // Whose traits the file's codes, key=value items and .overwrite act on.
    qint64 traitDataSource() const { return targetDpid.value_or(dpid); }
    QString modeName() const; // "sync" or "overwrite"

    // Parses a file name; a directory in front of it is ignored. A name that does not follow
    // the pattern gives nullopt and, in `error`, what is wrong with it.
    static std::optional<BatchFileName> parse(QStringView fileName, QString *error);

    friend bool operator==(const BatchFileName &, const BatchFileName &) = default;
};

// Why a line of a batch file, or an item of a line, is not applied. The import report counts
// lines and items by these reasons (batchimporter.h adds the ones that need the database).
namespace BatchSkip {
// Lines
inline constexpr QLatin1String EmptyLine("empty line");
inline constexpr QLatin1String LineTooLong("line too long");
inline constexpr QLatin1String InvalidUtf8("not valid UTF-8");
inline constexpr QLatin1String TrailingWhitespace("row ends in a tab or a space");
inline constexpr QLatin1String NoTab("no tab between the user ID and the items");
inline constexpr QLatin1String EmptyUserId("empty user ID");
inline constexpr QLatin1String OverUserLimit("over 200 lines for this user ID");
inline constexpr QLatin1String NoValidItem("no valid item");
// Items
inline constexpr QLatin1String InvalidItem("invalid item");
} // namespace BatchSkip

// One line of a batch file, parsed: `<user ID><TAB><item>,<item>,...`.
struct BatchLine
{
    struct BadItem
    {
        QString text;   // the item as written
        QString reason; // parseInboundItem's
    };

    qint64 number = 0; // 1-based, every physical line counted (blank ones too)
    // Empty when the line is to be applied; else one of BatchSkip, and what in the line made
    // it so (the user ID, the offending text), for the report.
    QString skipReason;
    QString skipDetail;
    QString userId;
    QList<InboundItem> items;
    QList<BadItem> badItems; // items left out; the rest of the line still applies

    bool isSkipped() const { return !skipReason.isEmpty(); }
};

// Parses a batch file one line at a time, in file order. The line rules of dcs-api.md live
// here, the ones that need earlier lines (the cap per user ID) included, so that the file
// reader, the tests and the fuzzer all drive this one code path:
// - a '\r' before the line's end is removed (CRLF files), then
// - an empty line, a line the reader had to cut (MaxLineBytes), a line that is not valid UTF-8
//   (files must be ASCII or UTF-8; a UTF-8 byte order mark opening the file is allowed) and a
//   row ending in a tab or a space are skipped, each with its reason;
// - the user ID runs to the first tab: no tab, or nothing before it, skips the line;
// - at most MaxLinesPerUser lines count per user ID: later ones are skipped, as Audience
//   Manager keeps the first 200;
// - the rest is cut into items at commas outside double quotes (splitInboundItems) and each
//   is parsed with parseInboundItem: a bad item is left out with its reason, and a line with
//   no valid item is skipped.
// Per user ID it keeps a line count under a 64-bit hash of the ID, not the ID itself, so a
// file of millions of users costs a few bytes each; two IDs sharing a hash would share their
// 200 lines, a chance far below one in a billion for a file of a million users.
class BatchLineParser final
{
public:
    static constexpr int MaxLinesPerUser = 200;
    // Longer lines are cut by the reader and skipped: one runaway line must not take all
    // memory. Audience Manager sets no limit on items per line; a megabyte holds ~50,000.
    static constexpr qsizetype MaxLineBytes = 1 << 20;

    // `rawLine`: one line's bytes without its '\n'. `truncated`: the reader cut it at
    // MaxLineBytes (the line is then skipped whatever its bytes say).
    BatchLine parse(QByteArrayView rawLine, bool truncated = false);

    qint64 linesParsed() const { return m_lineNumber; }

private:
    qint64 m_lineNumber = 0;
    QHash<size_t, int> m_linesPerUser; // by hash of the user ID
};

} // namespace Dcs
