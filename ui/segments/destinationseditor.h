#pragma once

#include "rules/definitions.h"

#include <QStringList>
#include <QWidget>

class QLabel;
class QTableWidget;
class QToolButton;

namespace Dcs {

// A segment's destinations (dcs-api.md, "The answer"): cookie key/value pairs, which go into
// the answer's `stuff`, and URL templates, which go into `dests` with their macros expanded.
// Each URL shows a rendered example beside it, with sample values for the macros, and
// problems are listed as the analyst types.
class DestinationsEditor final : public QWidget
{
    Q_OBJECT
public:
    // The sample values of the rendered examples.
    static constexpr const char *kSampleVisitorId = "12345678901234567890123456789012345678";
    static constexpr qint64 kSampleRandom = 1234567890;

    explicit DestinationsEditor(QWidget *parent = nullptr);

    // Shows these destinations (no edited() signal).
    void setDestinations(const QList<Destination> &destinations);
    // Cookie rows first, then URL rows, in table order; blank rows are left out.
    QList<Destination> destinations() const;
    // %ALIAS%: the segment's integration code, or its sid when it has none.
    void setAlias(const QString &alias);
    // What must be fixed before saving, in words; empty when the destinations may be saved.
    QStringList issues() const { return m_issues; }

    // The URL as the DCS would send it for one visitor: %ALIAS% percent-encoded, %did% the
    // visitor's UUID, %rnd% a random number, %timestamp% Unix seconds (names ignore case).
    static QString renderUrl(const QString &urlTemplate, const QString &alias,
                             const QString &visitorId, qint64 random, qint64 nowMs);
    // The same with the sample values, at the current time.
    QString exampleFor(const QString &urlTemplate) const;

    QTableWidget *cookieTable() const { return m_cookies; }
    QTableWidget *urlTable() const { return m_urls; }
    QLabel *issuesLabel() const { return m_issuesLabel; }

Q_SIGNALS:
    void edited();

private:
    void addCookie();
    void addUrl();
    void insertMacro(const QString &macro);
    void refresh();

    QString m_alias;
    QTableWidget *m_cookies = nullptr;
    QTableWidget *m_urls = nullptr;
    QLabel *m_issuesLabel = nullptr;
    QStringList m_issues;
    bool m_filling = false;
};

} // namespace Dcs
