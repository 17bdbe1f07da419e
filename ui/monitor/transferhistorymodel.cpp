#include "transferhistorymodel.h"

#include "storage/storage.h"
#include "transfercolumns.h"

#include <QThread>

namespace Dcs {

// A thread with an event loop that runs posted jobs in order on its own read connection, which
// it closes as it ends.
class TransferHistoryModel::Loader final
{
public:
    Loader(Storage &storage, const QString &name)
    {
        m_thread.setObjectName(name);
        m_context.moveToThread(&m_thread);
        // Runs on the ending thread: its connection closes there, and the context leaves it so
        // the GUI thread may delete it.
        QObject::connect(
            &m_thread, &QThread::finished, &m_context,
            [this, &storage] {
                storage.releaseReader();
                m_context.moveToThread(nullptr);
            },
            Qt::DirectConnection);
        m_thread.start();
    }

    ~Loader()
    {
        m_thread.quit();
        m_thread.wait();
    }

    void post(std::function<void()> job)
    {
        QMetaObject::invokeMethod(&m_context, std::move(job), Qt::QueuedConnection);
    }

private:
    QThread m_thread;
    QObject m_context; // lives in m_thread: posted jobs run there
};

TransferHistoryModel::TransferHistoryModel(Storage &storage, QObject *parent)
    : QAbstractTableModel(parent)
    , m_storage(storage)
    , m_pageLoader(std::make_unique<Loader>(storage, QStringLiteral("history pages")))
    , m_counter(std::make_unique<Loader>(storage, QStringLiteral("history count")))
    , m_beforePageQuery(std::make_shared<std::function<void()>>())
{
}

TransferHistoryModel::~TransferHistoryModel()
{
    ++m_generation; // queued jobs skip their query
    m_pageLoader.reset();
    m_counter.reset();
}

void TransferHistoryModel::setQuery(const TransferLog::Filter &filter, TransferLog::Order order)
{
    m_filter = filter;
    m_order = order;
    m_hasQuery = true;
    start();
}

void TransferHistoryModel::reload()
{
    if (m_hasQuery)
        start();
}

void TransferHistoryModel::start()
{
    ++m_generation;
    beginResetModel();
    m_records.clear();
    m_next.reset();
    m_firstPageDone = false;
    endResetModel();
    m_error.clear();
    if (m_totalCount != -1) {
        m_totalCount = -1;
        Q_EMIT totalCountChanged(m_totalCount);
    }
    // Cleared so requestPage() does not see the previous query's page still loading.
    m_loading = false;
    requestPage();

    const TransferLog::Filter filter = effectiveFilter();
    const quint64 generation = m_generation;
    Storage *storage = &m_storage;
    const std::atomic<quint64> *current = &m_generation;
    m_counter->post([this, storage, current, generation, filter] {
        if (current->load() != generation)
            return; // a newer query is coming: do not count this one
        qint64 count = 0;
        QString error;
        if (!TransferLog::count(storage->reader(), filter, &count, &error))
            count = -1;
        QMetaObject::invokeMethod(
            this, [this, generation, count, error] { applyCount(generation, count, error); },
            Qt::QueuedConnection);
    });
}

TransferLog::Filter TransferHistoryModel::effectiveFilter() const
{
    TransferLog::Filter filter = m_filter;
    // A tid names its /event row: look it up through the event index.
    if (!filter.tid.isEmpty() && !filter.tidEventId) {
        if (const auto decoded = m_storage.eventIds().decode(filter.tid))
            filter.tidEventId = decoded->id;
    }
    return filter;
}

void TransferHistoryModel::requestPage()
{
    if (m_loading)
        return;
    setLoading(true);
    const TransferLog::Filter filter = effectiveFilter();
    const quint64 generation = m_generation;
    const std::optional<TransferLog::PageKey> after = m_next;
    const TransferLog::Order order = m_order;
    const int limit = m_pageSize;
    Storage *storage = &m_storage;
    const std::atomic<quint64> *current = &m_generation;
    const std::shared_ptr<std::function<void()>> hook = m_beforePageQuery;
    m_pageLoader->post([=, this] {
        TransferLog::Page page;
        QString error;
        if (current->load() == generation) {
            if (*hook)
                (*hook)();
            if (!TransferLog::queryPage(storage->reader(), filter, order, limit, after, &page,
                                        &error) && error.isEmpty())
                error = tr("the transfer log could not be read");
        }
        // Skipped or not, the answer goes back: the model drops it if it is stale.
        QMetaObject::invokeMethod(
            this, [this, generation, page, error] { applyPage(generation, page, error); },
            Qt::QueuedConnection);
    });
}

void TransferHistoryModel::applyPage(quint64 generation, const TransferLog::Page &page,
                                     const QString &error)
{
    if (generation != m_generation) {
        ++m_droppedPages;
        return;
    }
    setLoading(false);
    if (!error.isEmpty()) {
        m_error = error;
        Q_EMIT loadFailed(error);
        return;
    }
    m_firstPageDone = true;
    m_next = page.next;
    if (!page.records.isEmpty()) {
        const int first = int(m_records.size());
        beginInsertRows({}, first, first + int(page.records.size()) - 1);
        m_records += page.records;
        endInsertRows();
    }
    Q_EMIT pageLoaded(int(page.records.size()));
}

void TransferHistoryModel::applyCount(quint64 generation, qint64 count, const QString &error)
{
    if (generation != m_generation)
        return;
    if (!error.isEmpty()) {
        m_error = error;
        Q_EMIT loadFailed(error);
        return;
    }
    m_totalCount = count;
    Q_EMIT totalCountChanged(count);
}

void TransferHistoryModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged(loading);
}

void TransferHistoryModel::setBeforePageQueryHook(std::function<void()> hook)
{
    *m_beforePageQuery = std::move(hook);
}

TransferRecord TransferHistoryModel::record(int row) const
{
    return row >= 0 && row < m_records.size() ? m_records.at(row) : TransferRecord();
}

QList<TransferRecord> TransferHistoryModel::records(const QList<int> &rows) const
{
    QList<TransferRecord> list;
    list.reserve(rows.size());
    for (const int row : rows) {
        if (row >= 0 && row < m_records.size())
            list.append(m_records.at(row));
    }
    return list;
}

int TransferHistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_records.size());
}

int TransferHistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : TransferColumns::Count;
}

QVariant TransferHistoryModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    return TransferColumns::data(m_records.at(index.row()), index.column(), role);
}

QVariant TransferHistoryModel::headerData(int section, Qt::Orientation orientation,
                                          int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= TransferColumns::Count)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (role) {
    case Qt::DisplayRole: return TransferColumns::header(section);
    case Qt::ToolTipRole:
        if (section == TransferColumns::Time)
            return tr("%1\nClick to show the oldest or the newest first")
                .arg(TransferColumns::headerToolTip(section));
        return TransferColumns::headerToolTip(section);
    }
    return {};
}

bool TransferHistoryModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && m_next.has_value() && !m_loading;
}

void TransferHistoryModel::fetchMore(const QModelIndex &parent)
{
    if (canFetchMore(parent))
        requestPage();
}

void TransferHistoryModel::sort(int column, Qt::SortOrder order)
{
    if (column != TransferColumns::Time)
        return;
    const TransferLog::Order wanted = order == Qt::AscendingOrder
                                          ? TransferLog::Order::OldestFirst
                                          : TransferLog::Order::NewestFirst;
    if (wanted == m_order)
        return;
    m_order = wanted;
    reload();
}

} // namespace Dcs
