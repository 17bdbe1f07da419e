#pragma once

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

} // namespace Dcs
