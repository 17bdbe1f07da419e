#include "partner.h"

namespace Dcs {

QString partnerStyleName(Partner::Style style)
{
    return style == Partner::Style::GetTemplate ? QStringLiteral("get-template")
                                                : QStringLiteral("json-post");
}

bool partnerStyleFromName(const QString &name, Partner::Style *style)
{
    if (name == QLatin1String("json-post"))
        *style = Partner::Style::JsonPost;
    else if (name == QLatin1String("get-template"))
        *style = Partner::Style::GetTemplate;
    else
        return false;
    return true;
}

QString partnerModeName(Partner::Mode mode)
{
    switch (mode) {
    case Partner::Mode::Disabled: return QStringLiteral("disabled");
    case Partner::Mode::Shadow: return QStringLiteral("shadow");
    case Partner::Mode::Live: return QStringLiteral("live");
    }
    return QStringLiteral("disabled");
}

bool partnerModeFromName(const QString &name, Partner::Mode *mode)
{
    if (name == QLatin1String("disabled"))
        *mode = Partner::Mode::Disabled;
    else if (name == QLatin1String("shadow"))
        *mode = Partner::Mode::Shadow;
    else if (name == QLatin1String("live"))
        *mode = Partner::Mode::Live;
    else
        return false;
    return true;
}

} // namespace Dcs
