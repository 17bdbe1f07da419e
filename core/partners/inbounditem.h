#pragma once

#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

namespace Dcs {

// One item of the inbound syntax shared by batch files (dcs-api.md, "Batch inbound files") and
// partners' text/plain answers (partner-protocol.md, "The answer"):
//   d_sid=N            realize trait N                         -> AddTrait
//   d_unsid=N, N:0, N:-1  remove trait N                       -> RemoveTrait
//   CODE, ic=CODE      the onboarded trait whose rule is ic == "CODE"  -> Code
//   key=value          a signal for the data source's onboarded rules  -> Signal
// Double quotes around a key or a value are removed. Surrounding spaces are trimmed.
struct InboundItem
{
    enum class Kind { AddTrait, RemoveTrait, Code, Signal };

    Kind kind = Kind::Code;
    qint64 sid = 0; // AddTrait, RemoveTrait
    QString code;   // Code
    QString key;    // Signal
    QString value;  // Signal

    friend bool operator==(const InboundItem &, const InboundItem &) = default;
};

// A partner segment code: 1-64 characters from [A-Za-z0-9_.:-].
bool isValidPartnerCode(QStringView code);

// Parses one item; on failure returns nullopt and says why in `error` (for the import report
// and the partner's bad-answer reason).
std::optional<InboundItem> parseInboundItem(QStringView text, QString *error);

// Cuts a comma-separated list into items, as written (not trimmed): "a,b" is two. A comma
// inside double quotes belongs to its item, so `"k"="a,b"` stays one; an unclosed quote runs
// to the end. Empty items (",," or a trailing comma) are kept, so the caller can report them.
// Empty text has no items.
QList<QStringView> splitInboundItems(QStringView text);

} // namespace Dcs
