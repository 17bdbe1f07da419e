#pragma once

#include "transfer/transferrecord.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

class QIODevice;

namespace Dcs {

// Partner attempts written out for other tools: CSV (RFC 4180) or JSON. Both carry every field
// under the same names; only JSON carries the request and response texts (multi-line, bounded
// but large, and rarely wanted in a spreadsheet).
//
// CSV: UTF-8 without a byte order mark, CRLF line ends, a header row, fields quoted when they
// hold a comma, a quote, CR or LF (quotes doubled). Times are ISO 8601 in UTC with milliseconds
// ("2025-11-22T14:00:00.123Z"); outcomes are the spec's names ("http-error"); codes are joined
// by a space (codes cannot hold one); a value that does not apply (a phase not reached, no HTTP
// status, no TTL, no event) is an empty cell.
// Formula injection: a spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a
// formula, so such a cell gets a leading apostrophe ('=1+1). That alters the value, but only of
// text: numbers written here are never negative. Text that legitimately starts so is changed
// too: a tid starts with '+' one time in 64 (base64) and a code may start with '-'
// (partner-protocol.md), so "+AbCdEfGhIjK" reads "'+AbCdEfGhIjK" in the CSV. The JSON keeps every
// value as it is.
//
// JSON: an array with one object per attempt (one line each), keys in a fixed order, absent
// values as null, the timing phases in a "timings" object.
class TransferExporter final
{
public:
    enum class Format { Csv, Json };

    explicit TransferExporter(Format format) : m_format(format) {}

    // The file's parts: begin() once, row() per record, end() once. Streams, so a long export
    // never holds every row.
    QByteArray begin();
    QByteArray row(const TransferRecord &record);
    QByteArray end();

    static QByteArray toCsv(const QList<TransferRecord> &records);
    static QByteArray toJson(const QList<TransferRecord> &records);
    // The CSV columns, in order (the JSON keys are these, the timing phases inside "timings",
    // then request_text and response_text).
    static QStringList csvColumns();
    // ".csv" or ".json" (any case); nullopt otherwise.
    static std::optional<Format> formatForPath(const QString &path);
    // Writes all of `records` to `path` atomically (QSaveFile).
    static bool writeFile(const QString &path, Format format,
                          const QList<TransferRecord> &records, QString *error);

    // The cell as written: quoted when needed, defused when a spreadsheet would evaluate it.
    static QByteArray csvField(const QString &value);
    static QString isoTime(qint64 msSinceEpoch);

private:
    Format m_format;
    bool m_first = true;
};

} // namespace Dcs
