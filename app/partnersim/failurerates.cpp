#include "failurerates.h"

#include <QList>

#include <cmath>

namespace Dcs {

namespace {

constexpr std::array<QLatin1StringView, kFailureKindCount> kNames = {
    QLatin1StringView("http500"),   QLatin1StringView("reset"),
    QLatin1StringView("malformed"), QLatin1StringView("badcodes"),
    QLatin1StringView("huge"),      QLatin1StringView("drip"),
    QLatin1StringView("hang"),      QLatin1StringView("close"),
};

// Rates are written by people as 0.1 + 0.2 + ...: allow the sum its rounding error.
constexpr double kTotalTolerance = 1e-9;

QString allNames()
{
    QStringList names;
    for (const QLatin1StringView name : kNames)
        names.append(name);
    return names.join(QStringLiteral(", "));
}

} // namespace

QLatin1StringView failureKindName(FailureKind kind)
{
    return kNames[int(kind)];
}

std::optional<FailureKind> failureKindFromName(QStringView name)
{
    for (int i = 0; i < kFailureKindCount; ++i) {
        if (name == kNames[i])
            return FailureKind(i);
    }
    return std::nullopt;
}

bool FailureRates::setRate(FailureKind kind, double rate)
{
    if (!std::isfinite(rate) || rate < 0 || rate > 1)
        return false;
    if (total() - m_rates[int(kind)] + rate > 1 + kTotalTolerance)
        return false;
    m_rates[int(kind)] = rate;
    return true;
}

double FailureRates::total() const
{
    double sum = 0;
    for (const double rate : m_rates)
        sum += rate;
    return sum;
}

std::optional<FailureRates> FailureRates::parse(QStringView text, QString *error)
{
    const auto failWith = [error](const QString &message) -> std::optional<FailureRates> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    FailureRates rates;
    text = text.trimmed();
    if (text.isEmpty() || text == u"none")
        return rates;
    for (const QStringView item : text.split(u',')) {
        const qsizetype equals = item.indexOf(u'=');
        if (equals < 0)
            return failWith(QStringLiteral("\"%1\" is not KIND=RATE").arg(item.trimmed()));
        const QStringView name = item.first(equals).trimmed();
        const std::optional<FailureKind> kind = failureKindFromName(name);
        if (!kind)
            return failWith(QStringLiteral("unknown failure kind \"%1\"; expected one of %2")
                                .arg(name, allNames()));
        bool ok = false;
        const double rate = item.sliced(equals + 1).trimmed().toDouble(&ok);
        if (!ok || !std::isfinite(rate) || rate < 0 || rate > 1)
            return failWith(QStringLiteral("the rate of %1 must be a number from 0 to 1")
                                .arg(name));
        if (!rates.setRate(*kind, rate))
            return failWith(QStringLiteral("the failure rates add up to more than 1"));
    }
    return rates;
}

QString FailureRates::toString() const
{
    QStringList items;
    for (int i = 0; i < kFailureKindCount; ++i) {
        if (m_rates[i] > 0)
            items.append(kNames[i] + QLatin1Char('=') + QString::number(m_rates[i], 'g', 10));
    }
    return items.isEmpty() ? QStringLiteral("none") : items.join(QLatin1Char(','));
}

std::optional<FailureKind> FailureRates::pick(double unitDraw) const
{
    double upTo = 0;
    for (int i = 0; i < kFailureKindCount; ++i) {
        upTo += m_rates[i];
        if (m_rates[i] > 0 && unitDraw < upTo)
            return FailureKind(i);
    }
    return std::nullopt;
}

} // namespace Dcs
