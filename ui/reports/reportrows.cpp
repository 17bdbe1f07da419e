#include "reportrows.h"

#include "monitor/transferexport.h"
#include "rules/reports.h"
#include "rules/rulesnapshot.h"
#include "storage/segmentrepository.h"
#include "storage/traitrepository.h"

namespace Dcs::ReportRows {

namespace {

QString traitTypeText(Trait::Type type)
{
    switch (type) {
    case Trait::Type::Rule: return QStringLiteral("rule");
    case Trait::Type::Onboarded: return QStringLiteral("onboarded");
    case Trait::Type::Folder: return QStringLiteral("folder");
    }
    return {};
}

} // namespace

bool compute(QSqlDatabase db, const RulesSnapshot &rules, qint64 nowMs, QList<ReportRow> *rows,
             QString *error, const std::function<bool()> &cancelled)
{
    rows->clear();
    const QList<Trait> traits = TraitRepository::readAll(db);
    const QList<Segment> segments = SegmentRepository::readAll(db);
    for (const Trait &trait : traits) {
        if (cancelled && cancelled())
            return true;
        TraitReport report;
        if (!Reports::traitReport(db, rules, trait.sid, nowMs, &report, error))
            return false;
        ReportRow row;
        row.kind = ReportRow::Kind::Trait;
        row.sid = trait.sid;
        row.name = trait.name;
        row.detail = traitTypeText(trait.type);
        row.populationNow = report.populationNow;
        for (int i = 0; i < ReportRow::WindowCount && i < report.windows.size(); ++i) {
            row.visitors[size_t(i)] = report.windows.at(i).uniqueVisitors;
            row.realizations[size_t(i)] = report.windows.at(i).realizations;
        }
        rows->append(row);
    }
    for (const Segment &segment : segments) {
        if (cancelled && cancelled())
            return true;
        SegmentReport report;
        if (!ReportStore::segmentReport(db, segment.sid, nowMs, &report, error))
            return false;
        ReportRow row;
        row.kind = ReportRow::Kind::Segment;
        row.sid = segment.sid;
        row.name = segment.name;
        row.detail = segment.active ? segment.rule : segment.rule + QStringLiteral(" (inactive)");
        row.populationNow = report.populationNow;
        for (int i = 0; i < ReportRow::WindowCount && i < report.windows.size(); ++i)
            row.visitors[size_t(i)] = report.windows.at(i).visitors;
        rows->append(row);
    }
    return true;
}

QStringList csvColumns()
{
    QStringList columns{QStringLiteral("kind"), QStringLiteral("sid"), QStringLiteral("name"),
                        QStringLiteral("population_now")};
    for (const int days : ReportWindowDays)
        columns.append(QStringLiteral("visitors_%1d").arg(days));
    for (const int days : ReportWindowDays)
        columns.append(QStringLiteral("realizations_%1d").arg(days));
    return columns;
}

QByteArray toCsv(const QList<ReportRow> &rows)
{
    const auto line = [](const QStringList &cells) -> QByteArray {
        QByteArray out;
        for (qsizetype i = 0; i < cells.size(); ++i) {
            if (i > 0)
                out += ',';
            out += TransferExporter::csvField(cells.at(i));
        }
        out += "\r\n";
        return out;
    };
    QByteArray csv = line(csvColumns());
    for (const ReportRow &row : rows) {
        const bool trait = row.kind == ReportRow::Kind::Trait;
        QStringList cells{trait ? QStringLiteral("trait") : QStringLiteral("segment"),
                          QString::number(row.sid), row.name,
                          QString::number(row.populationNow)};
        for (const qint64 count : row.visitors)
            cells.append(QString::number(count));
        for (const qint64 count : row.realizations)
            cells.append(trait ? QString::number(count) : QString());
        csv += line(cells);
    }
    return csv;
}

} // namespace Dcs::ReportRows
