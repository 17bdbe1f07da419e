#pragma once

#include <QList>
#include <QSqlDatabase>
#include <QString>

#include <array>

namespace Dcs {

// The report windows of rules.md ("Reports"): the last 1, 7, 14, 30, 60 and 90 days.
inline constexpr std::array<int, 6> ReportWindowDays{1, 7, 14, 30, 60, 90};

// Decisions where rules.md is silent:
// - "The last N days" at nowMs is [nowMs - N days, nowMs], both ends inclusive to the
//   millisecond, as a segment's `<= ND` recency; anything stamped after nowMs is left out.
// - A trait's population now counts visitors with a realization that counts at nowMs
//   (timeMs <= nowMs < expiresMs).
// - A segment's population over a window counts visitors who held it at any instant of the
//   window: a member now, a join inside it, or a leave after its first instant (a leave at
//   exactly the window's start ended the membership before the window began).
// - Adds and drops per day are joins and leaves per UTC day, oldest day first, the last day
//   being the UTC day of nowMs (counted up to nowMs).

struct TraitWindowCount
{
    int days = 0;
    qint64 uniqueVisitors = 0;
    qint64 realizations = 0;

    friend bool operator==(const TraitWindowCount &, const TraitWindowCount &) = default;
};

struct TraitReport
{
    qint64 populationNow = 0;
    QList<TraitWindowCount> windows; // one per ReportWindowDays, in that order
};

struct SegmentWindowCount
{
    int days = 0;
    qint64 visitors = 0;

    friend bool operator==(const SegmentWindowCount &, const SegmentWindowCount &) = default;
};

struct SegmentReport
{
    qint64 populationNow = 0;
    QList<SegmentWindowCount> windows; // one per ReportWindowDays, in that order
};

struct SegmentDayChanges
{
    qint64 dayStartMs = 0; // 00:00:00.000 UTC
    qint64 adds = 0;
    qint64 drops = 0;

    friend bool operator==(const SegmentDayChanges &, const SegmentDayChanges &) = default;
};

namespace ReportStore {

// The realizations of `traitSids` taken together (a folder trait's members; a visitor counts
// once however many of them realized it). One statement over realizations_by_trait.
bool traitReport(QSqlDatabase db, const QList<qint64> &traitSids, qint64 nowMs,
                 TraitReport *report, QString *error);

// One statement over memberships_by_segment and membership_changes_by_segment.
bool segmentReport(QSqlDatabase db, qint64 segmentSid, qint64 nowMs, SegmentReport *report,
                   QString *error);

// `days` entries (days >= 1), every day present, zeros included. One grouped statement.
bool segmentDailyChanges(QSqlDatabase db, qint64 segmentSid, qint64 nowMs, int days,
                         QList<SegmentDayChanges> *changes, QString *error);

} // namespace ReportStore
} // namespace Dcs
