#include "transferrecord.h"

#include <array>

namespace Dcs {

namespace {

constexpr std::array<QLatin1StringView, TransferOutcomeCount> kOutcomeNames{
    QLatin1StringView("ok"),           QLatin1StringView("empty"),
    QLatin1StringView("skipped"),      QLatin1StringView("timeout"),
    QLatin1StringView("late"),         QLatin1StringView("http-error"),
    QLatin1StringView("bad-answer"),   QLatin1StringView("network-error"),
    QLatin1StringView("circuit-open"), QLatin1StringView("rate-limited"),
    QLatin1StringView("no-id-sync"),
};

} // namespace

QLatin1StringView transferOutcomeName(TransferOutcome outcome)
{
    return kOutcomeNames.at(std::size_t(outcome));
}

std::optional<TransferOutcome> transferOutcomeFromName(QStringView name)
{
    for (std::size_t i = 0; i < kOutcomeNames.size(); ++i) {
        if (name == kOutcomeNames.at(i))
            return TransferOutcome(i);
    }
    return std::nullopt;
}

bool transferOutcomeNotCalled(TransferOutcome outcome)
{
    switch (outcome) {
    case TransferOutcome::Skipped:
    case TransferOutcome::CircuitOpen:
    case TransferOutcome::RateLimited:
    case TransferOutcome::NoIdSync:
        return true;
    default:
        return false;
    }
}

bool transferOutcomeIsFailure(TransferOutcome outcome)
{
    switch (outcome) {
    case TransferOutcome::Timeout:
    case TransferOutcome::Late:
    case TransferOutcome::HttpError:
    case TransferOutcome::BadAnswer:
    case TransferOutcome::NetworkError:
        return true;
    default:
        return false;
    }
}

} // namespace Dcs
