#pragma once

#include "rules/definitions.h"

#include <QHash>
#include <QList>

#include <optional>

namespace Dcs {

// What segment rule validation needs to know about traits: whether a sid exists, and its type
// (recency and FREQUENCY apply to rule-based and folder traits only, rules.md "Segments").
class TraitCatalog
{
public:
    virtual ~TraitCatalog() = default;

    // std::nullopt when no trait has this sid.
    virtual std::optional<Trait::Type> typeOf(qint64 sid) const = 0;
};

// A catalog held in memory: the workspace's traits, or a handful in a test.
class TraitTypeCatalog final : public TraitCatalog
{
public:
    TraitTypeCatalog() = default;
    explicit TraitTypeCatalog(const QList<Trait> &traits);

    void insert(qint64 sid, Trait::Type type) { m_types.insert(sid, type); }
    void remove(qint64 sid) { m_types.remove(sid); }
    qsizetype size() const { return m_types.size(); }

    std::optional<Trait::Type> typeOf(qint64 sid) const override;

private:
    QHash<qint64, Trait::Type> m_types;
};

} // namespace Dcs
