#pragma once

#include <QStandardItemModel>

namespace Dcs {

class Storage;

// The workspace's definitions as a tree: partners, then the folder tree with its traits and
// segments. Columns: name, kind, id (DPID or sid), details (mode and endpoint, or the rule).
class WorkspaceModel final : public QStandardItemModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, KindColumn, IdColumn, DetailsColumn, ColumnCount };
    enum Role { IdRole = Qt::UserRole + 1 };

    explicit WorkspaceModel(QObject *parent = nullptr);

    // Re-reads everything from `storage` (a few thousand rows at most: definitions, not events).
    void reload(Storage &storage);

    int partnerCount() const { return m_partnerCount; }
    int traitCount() const { return m_traitCount; }
    int segmentCount() const { return m_segmentCount; }
    int folderCount() const { return m_folderCount; }

private:
    int m_partnerCount = 0;
    int m_traitCount = 0;
    int m_segmentCount = 0;
    int m_folderCount = 0;
};

} // namespace Dcs
