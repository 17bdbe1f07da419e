#pragma once

#include "partners/partner.h"

#include <QList>
#include <QString>

namespace Dcs {

// One problem with one field of a partner.
struct PartnerFieldIssue
{
    QString field;   // the field's JSON name (workspace.md): "endpoint", "forwarded_keys[2]"
    QString message; // for people, without the field's name: "must be from 1 to 60000 ms"

    friend bool operator==(const PartnerFieldIssue &, const PartnerFieldIssue &) = default;
};

// The one set of rules for a partner definition (partner-protocol.md, "A partner, as
// registered"), used by the GUI's editor as the admin types and by the workspace import
// (DefinitionJson::partnerFromJson). Cheap: no regular expressions; the endpoint is checked by
// PartnerEndpoint::parse, so an endpoint that passes is one the engine can call.
namespace PartnerValidator {

inline constexpr qsizetype MaxNameLength = 255;
inline constexpr qsizetype MaxContactLength = 255;
inline constexpr qsizetype MaxDescriptionLength = 4096;
inline constexpr qsizetype MaxSecretEnvLength = 255;
inline constexpr qsizetype MaxIntegrationCodeLength = 64;
inline constexpr qint64 MaxDpid = 2147483647;
inline constexpr int MaxTimeoutMs = 60000;
inline constexpr int MaxInFlight = 10000;

// Every issue, in field order. `others` are the partners it must not clash with (name, DPID,
// integration code); an entry with the same nonzero id is this partner itself and is skipped
// (id 0 means "not stored yet", so it never matches).
QList<PartnerFieldIssue> validate(const Partner &partner, const QList<Partner> &others = {});

// An integration code: 1-64 of [A-Za-z0-9_.-] (the d_cid_ic / d_tdpid_ic syntax).
bool isValidIntegrationCode(QStringView code);

} // namespace PartnerValidator
} // namespace Dcs
