#pragma once

#include "storage/reportstore.h"

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <array>
#include <functional>

namespace Dcs {

class RulesSnapshot;

// One line of the reports page: a trait's or a segment's numbers of rules.md's "Reports" at
// one instant, from ReportStore (a folder trait through Reports::traitReport).
struct ReportRow
{
    enum class Kind : quint8 { Trait, Segment };
    static constexpr int WindowCount = int(ReportWindowDays.size());

    Kind kind = Kind::Trait;
    qint64 sid = 0;
    QString name;
    QString detail; // a trait's type, or a segment's rule (and "inactive")
    qint64 populationNow = 0;
    // Per ReportWindowDays: unique visitors (a segment's: visitors who held it at any instant).
    std::array<qint64, WindowCount> visitors{};
    // Per ReportWindowDays, traits only: every realization counted.
    std::array<qint64, WindowCount> realizations{};

    friend bool operator==(const ReportRow &, const ReportRow &) = default;
};

namespace ReportRows {

// Every trait then every segment, by sid, at nowMs, read on `db`. `cancelled` (if set) is asked
// between items: a superseded refresh stops early. False with `error` on a database error.
bool compute(QSqlDatabase db, const RulesSnapshot &rules, qint64 nowMs, QList<ReportRow> *rows,
             QString *error, const std::function<bool()> &cancelled = {});

// The rows as CSV, cells as TransferExporter writes them (RFC 4180, CRLF, formula-safe):
// kind,sid,name,population_now,visitors_1d..visitors_90d,realizations_1d..realizations_90d;
// a segment's realization cells are empty.
QByteArray toCsv(const QList<ReportRow> &rows);
QStringList csvColumns();

} // namespace ReportRows
} // namespace Dcs
