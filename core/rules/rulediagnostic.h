#pragma once

#include <QString>

namespace Dcs {

// Why a trait or segment rule was refused: where (1-based line and column, in characters of the
// rule text), what the parser expected there, and a short hint for the analyst. The editor shows
// message() as the analyst types; workspace import shows it with the JSON path.
struct RuleDiagnostic
{
    int line = 0;   // 0 = the rule as a whole (e.g. "names trait 99T, which does not exist")
    int column = 0;
    int length = 0; // characters to underline from column; 0 = a point
    QString expected; // "a comparison operator", "\")\"", ...; empty when not a syntax error
    QString text;     // the complete sentence, e.g. "expected a value after \"==\""
    QString hint;     // optional: how to fix it

    // "line 1, column 14: expected a value after \"==\" (hint: quote values with spaces)"
    QString message() const
    {
        QString out;
        if (line > 0)
            out = QStringLiteral("line %1, column %2: ").arg(line).arg(column);
        out += text;
        if (!hint.isEmpty())
            out += QStringLiteral(" (hint: %1)").arg(hint);
        return out;
    }

    friend bool operator==(const RuleDiagnostic &, const RuleDiagnostic &) = default;
};

} // namespace Dcs
