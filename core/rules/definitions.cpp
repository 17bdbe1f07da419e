#include "definitions.h"

namespace Dcs {

QString traitTypeName(Trait::Type type)
{
    switch (type) {
    case Trait::Type::Rule: return QStringLiteral("rule");
    case Trait::Type::Onboarded: return QStringLiteral("onboarded");
    case Trait::Type::Folder: return QStringLiteral("folder");
    }
    return QStringLiteral("rule");
}

bool traitTypeFromName(const QString &name, Trait::Type *type)
{
    if (name == QLatin1String("rule"))
        *type = Trait::Type::Rule;
    else if (name == QLatin1String("onboarded"))
        *type = Trait::Type::Onboarded;
    else if (name == QLatin1String("folder"))
        *type = Trait::Type::Folder;
    else
        return false;
    return true;
}

} // namespace Dcs
