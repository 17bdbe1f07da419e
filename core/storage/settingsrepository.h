#pragma once

#include "rules/definitions.h"
#include "storagewriter.h"

#include <QSqlDatabase>

namespace Dcs {

class Storage;

// The workspace's listener-wide settings (region, deadline), stored as name/value rows.
class SettingsRepository
{
public:
    explicit SettingsRepository(Storage &storage) : m_storage(storage) {}

    WorkspaceSettings load() const;
    WriteResult save(const WorkspaceSettings &settings);

    static WorkspaceSettings read(QSqlDatabase db);
    static bool write(WriteContext &context, const WorkspaceSettings &settings, QString *error);

private:
    Storage &m_storage;
};

} // namespace Dcs
