#include "traitcatalog.h"

namespace Dcs {

TraitTypeCatalog::TraitTypeCatalog(const QList<Trait> &traits)
{
    m_types.reserve(traits.size());
    for (const Trait &trait : traits)
        m_types.insert(trait.sid, trait.type);
}

std::optional<Trait::Type> TraitTypeCatalog::typeOf(qint64 sid) const
{
    const auto found = m_types.constFind(sid);
    if (found == m_types.constEnd())
        return std::nullopt;
    return *found;
}

} // namespace Dcs
