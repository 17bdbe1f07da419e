#pragma once

#include "storage/transferlog.h"
#include "transfer/transferrecord.h"

#include <QAbstractTableModel>
#include <QList>

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace Dcs {

class Storage;

// The stored transfer log as a table (TransferColumns' columns), read page by page off the GUI
// thread as the view scrolls (canFetchMore/fetchMore), after sqlitebrowser's RowLoader: a loader
// thread with its own read connection runs the queries, each page arrives with the generation of
// the query it answers, and a page or count of an older query is dropped. Pages go by key
// (TransferLog::queryPage), so the thousandth page costs what the first does. A second thread
// counts the matching rows, so a slow count never holds up a page.
class TransferHistoryModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    static constexpr int DefaultPageSize = 500;

    // `storage` must outlive the model.
    explicit TransferHistoryModel(Storage &storage, QObject *parent = nullptr);
    ~TransferHistoryModel() override;

    // Shows the rows matching `filter` (its time range included) in `order`: drops every row,
    // then loads the first page and the count. A tid is looked up through its /event row.
    void setQuery(const TransferLog::Filter &filter,
                  TransferLog::Order order = TransferLog::Order::NewestFirst);
    // The same query again from its first page (rows written since appear).
    void reload();
    TransferLog::Filter filter() const { return m_filter; }
    TransferLog::Order order() const { return m_order; }
    bool hasQuery() const { return m_hasQuery; }
    // The filter as queried: a tid with the /event row it decodes to.
    TransferLog::Filter effectiveFilter() const;

    void setPageSize(int rows) { m_pageSize = qMax(1, rows); }
    int pageSize() const { return m_pageSize; }

    // A page is being read.
    bool isLoading() const { return m_loading; }
    // Rows matching the query; -1 while counting.
    qint64 totalCount() const { return m_totalCount; }
    // The last read's error; empty after a read that worked.
    QString errorString() const { return m_error; }

    // Row `row`'s attempt (an empty record out of range).
    TransferRecord record(int row) const;
    QList<TransferRecord> records(const QList<int> &rows) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    // Only the time column sorts, and in SQL: ascending is oldest first.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    // For tests: runs on the loader thread before each page query it does not skip (a test
    // holds it there to change the query while a page is being read). Set while idle.
    void setBeforePageQueryHook(std::function<void()> hook);
    // Pages that arrived for an older query and were dropped.
    int droppedPages() const { return m_droppedPages; }

Q_SIGNALS:
    void loadingChanged(bool loading);
    // `rows` rows were appended (the first page of a query included, even when empty).
    void pageLoaded(int rows);
    void totalCountChanged(qint64 count);
    void loadFailed(const QString &error);

private:
    class Loader;

    void start();
    void requestPage();
    void applyPage(quint64 generation, const TransferLog::Page &page, const QString &error);
    void applyCount(quint64 generation, qint64 count, const QString &error);
    void setLoading(bool loading);

    Storage &m_storage;
    std::unique_ptr<Loader> m_pageLoader;
    std::unique_ptr<Loader> m_counter;
    std::atomic<quint64> m_generation{0};
    std::shared_ptr<std::function<void()>> m_beforePageQuery;

    TransferLog::Filter m_filter;
    TransferLog::Order m_order = TransferLog::Order::NewestFirst;
    bool m_hasQuery = false;
    int m_pageSize = DefaultPageSize;
    QList<TransferRecord> m_records;
    std::optional<TransferLog::PageKey> m_next;
    bool m_firstPageDone = false;
    bool m_loading = false;
    qint64 m_totalCount = -1;
    QString m_error;
    int m_droppedPages = 0;
};

} // namespace Dcs
