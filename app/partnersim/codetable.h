#pragma once

#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace Dcs {

// What the simulated partner knows about one visitor: the segment codes to answer and, when
// the table says so, the codes the visitor left.
struct VisitorCodes
{
    QStringList segments;
    QStringList unsegments;

    bool isEmpty() const { return segments.isEmpty() && unsegments.isEmpty(); }
    friend bool operator==(const VisitorCodes &, const VisitorCodes &) = default;
};

// The --codes file: one visitor per line,
//   KEY<TAB>CODE,CODE,...[<TAB>UNSEGMENT,UNSEGMENT,...]
// where KEY is a uuid or a dpuuid, or "*" for every visitor without a line of their own.
// Blank lines and lines starting with '#' are skipped. Every code must be a valid partner code
// (1-64 characters from [A-Za-z0-9_.:-]); an empty code list is allowed (the visitor gets 204).
class CodeTable final
{
public:
    // Reads and checks the whole file; on failure says why (file and line) in `error`.
    static std::shared_ptr<const CodeTable> load(const QString &path, QString *error);
    // The same from text already in memory; `source` names it in error messages.
    static std::shared_ptr<const CodeTable> parse(QStringView text, const QString &source,
                                                  QString *error);

    // The visitor's line by uuid, else by dpuuid, else the "*" line; nullopt without any.
    std::optional<VisitorCodes> lookup(const QString &uuid, const QString &dpuuid) const;

    qsizetype size() const { return m_entries.size() + (m_default ? 1 : 0); }

private:
    QHash<QString, VisitorCodes> m_entries;
    std::optional<VisitorCodes> m_default;
};

} // namespace Dcs
