#pragma once

#include <QString>
#include <QStringList>

namespace Dcs {

// A registered data partner (partner-protocol.md, "A partner, as registered"). The secret itself is
// never held here: only whether one is stored, and the environment variable it may come from.
struct Partner
{
    enum class Style { JsonPost, GetTemplate };
    enum class Mode { Disabled, Shadow, Live };

    qint64 id = 0;
    QString name;
    QString description;
    QString contact;
    qint64 dpid = 0;
    QString integrationCode;
    QString endpoint;
    Style style = Style::JsonPost;
    QString secretEnv;
    bool hasStoredSecret = false;
    int timeoutMs = 80;
    int minBudgetMs = 10;
    int maxInFlight = 64;
    int maxRate = 0; // calls per second; 0 = unlimited
    bool needsIdSync = false;
    QStringList forwardedKeys;
    Mode mode = Mode::Disabled;

    friend bool operator==(const Partner &, const Partner &) = default;
};

QString partnerStyleName(Partner::Style style);
bool partnerStyleFromName(const QString &name, Partner::Style *style);
QString partnerModeName(Partner::Mode mode);
bool partnerModeFromName(const QString &name, Partner::Mode *mode);

} // namespace Dcs
