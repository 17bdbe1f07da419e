#pragma once

#include "rules/definitions.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>
#include <QSet>
#include <QSortFilterProxyModel>

#include <optional>

namespace Dcs {

// The Traits page's list: one row per trait with its type, data source and the figures that
// arrive later from the reports (population now, 7- and 30-day uniques; "…" until then).
// Rows can be dragged onto a folder of the folder tree (TraitListModel::MimeType).
class TraitListModel final : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { Name, Sid, Type, DataSource, Population, Uniques7, Uniques30, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1, // numbers as numbers
        SidRole,
        FolderRole,
        SearchTextRole, // name, sid, integration code and rule text, for the search field
    };

    // A drag of traits: their sids as text, one per line.
    static QString mimeType();

    struct Figures
    {
        qint64 populationNow = 0;
        qint64 uniques7 = 0;
        qint64 uniques30 = 0;
    };

    explicit TraitListModel(QObject *parent = nullptr);

    void setTraits(const QList<Trait> &traits);
    const QList<Trait> &traits() const { return m_traits; }
    std::optional<Trait> trait(qint64 sid) const;
    int rowOf(qint64 sid) const;
    // DPID -> partner name, for the data source column.
    void setPartnerNames(const QHash<qint64, QString> &names);
    void setFigures(qint64 sid, const Figures &figures);
    std::optional<Figures> figures(qint64 sid) const;
    void clearFigures();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;
    QStringList mimeTypes() const override;
    QMimeData *mimeData(const QModelIndexList &indexes) const override;
    Qt::DropActions supportedDragActions() const override;

    QString dataSourceText(qint64 dataSource) const;

private:
    QList<Trait> m_traits;
    QHash<qint64, int> m_rowBySid;
    QHash<qint64, Figures> m_figures;
    QHash<qint64, QString> m_partnerNames;
};

// The list as the page shows it: the traits of the selected folders (all when none is set),
// narrowed by the search text (every word must appear in the name, sid, integration code or
// rule, ignoring case).
class TraitFilterProxy final : public QSortFilterProxyModel
{
    Q_OBJECT

public:
    explicit TraitFilterProxy(QObject *parent = nullptr);

    // nullopt: every folder.
    void setFolders(const std::optional<QSet<qint64>> &folderIds);
    void setSearchText(const QString &text);

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    std::optional<QSet<qint64>> m_folders;
    QStringList m_words;
};

} // namespace Dcs
