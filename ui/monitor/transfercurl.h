#pragma once

#include "partners/partner.h"
#include "partners/partnerrequest.h"
#include "transfer/transferrecord.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <optional>

class QObject;

namespace Dcs {

class DcsServer;

// "Copy as curl" for a recorded partner attempt (live monitor, history). The request is rebuilt
// with PartnerRequest::build() and turned into a command by PartnerRequest::curlCommand(), the
// same path OnboardingRun::curlCommand() takes: one way of writing a partner call, whoever asks.
namespace TransferCurl {

struct Result
{
    QString command; // empty when no command can be made (see note)
    // For people: why there is no command, or what the command leaves out.
    QString note;
    bool revealed = false; // the command carries the real signature
};

// The call a record was made with, read back from its request text (signature masked): the
// timestamp and tmax from the headers, the body's IDs and signals (json-post) or the IDs the
// endpoint's template put in the path (get-template). Nullopt when the record kept no request
// text, or only the start of it (sampling bounds its size).
std::optional<PartnerCall> callFromRequestText(const TransferRecord &record,
                                               const Partner &partner);

// True when the attempt's request carried X-DCS-Signature.
bool wasSigned(const TransferRecord &record, const Partner &partner);

// The attempt as a curl command. The signature stays masked unless `reveal`, which needs the
// partner's `secret`; without the request text the call is rebuilt from the record (its signals
// and partner user ID are then unknown, and the note says so).
Result command(const TransferRecord &record, const Partner &partner,
               const std::optional<QByteArray> &secret, bool reveal);

// The partner of a record: as the engine runs it, else as registered; nullopt once removed.
std::optional<Partner> partnerOf(DcsServer &server, const TransferRecord &record);

// command() for `record` on `server`, handed to `done` on `context`'s thread: at once when
// masked; with `reveal` after reading the partner's secret on a short-lived thread (a keychain
// may take its time). `done` is not called if `context` is destroyed first.
void build(DcsServer &server, const TransferRecord &record, bool reveal, QObject *context,
           std::function<void(const Result &)> done);

// build(), then the command on the clipboard; `report` gets the status-bar message (what was
// copied, or why nothing was).
void copyToClipboard(DcsServer &server, const TransferRecord &record, bool reveal,
                     QObject *context, std::function<void(const QString &)> report);

} // namespace TransferCurl
} // namespace Dcs
