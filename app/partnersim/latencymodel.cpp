#include "latencymodel.h"

#include "simrandom.h"

#include <QList>

#include <cmath>

namespace Dcs {

namespace {

// The standard normal's 99th percentile: P99 = P50 * exp(sigma * z99).
constexpr double kNormalQuantile99 = 2.3263478740408408;

std::optional<double> parseMs(QStringView text)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < 0 || value > LatencyModel::kMaxMs)
        return std::nullopt;
    return value;
}

QString number(double value)
{
    return QString::number(value, 'g', 10);
}

} // namespace

std::optional<LatencyModel> LatencyModel::parse(QStringView text, QString *error)
{
    const auto failWith = [error](const QString &message) -> std::optional<LatencyModel> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    const qsizetype colon = text.indexOf(u':');
    if (colon < 0)
        return failWith(QStringLiteral("\"%1\" is not a latency; expected fixed:MS, "
                                       "uniform:MIN,MAX or lognormal:P50,P99")
                            .arg(text));
    const QStringView name = text.first(colon).trimmed();
    const QList<QStringView> values = text.sliced(colon + 1).split(u',');

    LatencyModel model;
    int expectedValues = 2;
    if (name == u"fixed") {
        model.kind = Kind::Fixed;
        expectedValues = 1;
    } else if (name == u"uniform") {
        model.kind = Kind::Uniform;
    } else if (name == u"lognormal") {
        model.kind = Kind::LogNormal;
    } else {
        return failWith(QStringLiteral("unknown latency distribution \"%1\"; expected fixed, "
                                       "uniform or lognormal")
                            .arg(name));
    }
    if (values.size() != expectedValues)
        return failWith(QStringLiteral("\"%1\" needs %2 value(s) in milliseconds")
                            .arg(text)
                            .arg(expectedValues));
    std::optional<double> parsed[2];
    for (int i = 0; i < expectedValues; ++i) {
        parsed[i] = parseMs(values.at(i));
        if (!parsed[i])
            return failWith(QStringLiteral("\"%1\" in \"%2\" is not a number of milliseconds "
                                           "from 0 to %3")
                                .arg(values.at(i).trimmed(), text)
                                .arg(kMaxMs, 0, 'f', 0));
    }
    model.first = *parsed[0];
    model.second = expectedValues == 2 ? *parsed[1] : 0;
    if (model.kind == Kind::Uniform && model.first > model.second)
        return failWith(QStringLiteral("uniform:MIN,MAX needs MIN <= MAX in \"%1\"").arg(text));
    if (model.kind == Kind::LogNormal && (model.first <= 0 || model.second < model.first))
        return failWith(QStringLiteral("lognormal:P50,P99 needs 0 < P50 <= P99 in \"%1\"")
                            .arg(text));
    return model;
}

QString LatencyModel::toString() const
{
    switch (kind) {
    case Kind::Fixed:
        return QStringLiteral("fixed:") + number(first);
    case Kind::Uniform:
        return QStringLiteral("uniform:") + number(first) + QLatin1Char(',') + number(second);
    case Kind::LogNormal:
        return QStringLiteral("lognormal:") + number(first) + QLatin1Char(',') + number(second);
    }
    return {};
}

double LatencyModel::sampleMs(SimRandom &random) const
{
    double sample = 0;
    switch (kind) {
    case Kind::Fixed:
        sample = first;
        break;
    case Kind::Uniform:
        sample = first + (second - first) * random.nextUnit();
        break;
    case Kind::LogNormal: {
        const double mu = std::log(first);
        const double sigma = (std::log(second) - mu) / kNormalQuantile99;
        sample = std::exp(mu + sigma * random.nextNormal());
        break;
    }
    }
    return qMin(sample, kMaxMs);
}

} // namespace Dcs
