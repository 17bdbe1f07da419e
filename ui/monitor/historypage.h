#pragma once

#include "monitor/transferexport.h"
#include "transfer/transferrecord.h"
#include "transferfilter.h"

#include <QList>
#include <QPointer>
#include <QThread>
#include <QWidget>

class QAction;
class QComboBox;
class QDateTimeEdit;
class QLabel;
class QMenu;
class QModelIndex;
class QTableView;
class QTimer;
class QToolButton;

namespace Dcs {

class Storage;
class TransferHistoryModel;

// The stored transfer log: the live monitor's filter bar plus a time range, over a table that
// pages through SQLite as it scrolls (TransferHistoryModel), with exports of the selection or
// of every matching row to CSV or JSON. Newest first; a click on the Time header turns it to
// oldest first (the only order SQL can page through cheaply, so the other columns do not sort).
class HistoryPage final : public QWidget
{
    Q_OBJECT
public:
    enum class TimeRange { Last15Minutes, LastHour, Today, Last7Days, All, Custom };

    // `storage` must outlive the page.
    explicit HistoryPage(Storage &storage, QWidget *parent = nullptr);
    ~HistoryPage() override;

    TransferFilterBar *filterBar() const { return m_filterBar; }
    QTableView *view() const { return m_view; }
    TransferHistoryModel *model() const { return m_model; }
    QComboBox *timeRangeBox() const { return m_rangeBox; }
    QDateTimeEdit *fromEdit() const { return m_fromEdit; }
    QDateTimeEdit *untilEdit() const { return m_untilEdit; }
    QLabel *summaryLabel() const { return m_summary; }
    QAction *refreshAction() const { return m_refreshAction; }
    QAction *exportSelectionAction() const { return m_exportSelectionAction; }
    QAction *exportAllAction() const { return m_exportAllAction; }
    QAction *copyAction() const { return m_copyAction; }

    TimeRange timeRange() const;
    void setTimeRange(TimeRange range);
    // Switches to a custom range [from, until).
    void setCustomRange(const QDateTime &from, const QDateTime &until);

    // Queries again with the current filter and range (a relative range moves up to now) and
    // reloads the partner list.
    void refresh();

    // Every partner call of the /event with this tid, whenever it was (the Visitors page opens
    // a call here).
    void showTid(const QString &tid);
    // The table's context menu for the row at `index` (invalid: for the selection only); the
    // caller owns it. For tests.
    QMenu *createTableMenu(const QModelIndex &index);

    TransferRecord currentRecord() const;
    // The selected rows' attempts, in table order.
    QList<TransferRecord> selectedRecords() const;
    // The selected rows as text: tab-separated visible columns, one line per row. Ctrl+C puts
    // it on the clipboard with a CSV flavour (text/csv), off the GUI thread for big selections.
    QString selectedRowsText() const;

    // Exports without asking for a file (the actions ask, then call these). The file is
    // written off the GUI thread; exportFinished tells the outcome. The format follows the
    // suffix (.csv or .json). Returns false, with a status message, when nothing was started.
    bool exportSelection(const QString &path);
    // Every row the query matches, read page by page from the log (not only the loaded ones).
    bool exportAllMatching(const QString &path);
    bool isExporting() const { return m_exportThread != nullptr; }

Q_SIGNALS:
    void statusMessage(const QString &message);
    // The current row's attempt, for a detail pane; an empty record when there is none.
    void currentTransferChanged(const Dcs::TransferRecord &record);
    // `error` is empty on success.
    void exportFinished(const QString &path, qint64 rows, const QString &error);
    // "Explain Visitor" on a row: the Visitors page shows this visitor.
    void visitorRequested(const QString &uuid);

protected:
    bool event(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildActions();
    void buildLayout();
    void onFilterChanged(const TransferFilter &filter);
    void onTimeRangeChanged();
    void applyQuery();
    void updateSummary();
    void updateRangeEdits(qint64 fromMs, qint64 untilMs);
    void showTableMenu(const QPoint &position);
    void showHeaderMenu(const QPoint &position);
    void narrowTo(const TransferFilter &filter);
    void copySelection();
    QList<int> visibleColumns() const;
    void askAndExport(bool selectionOnly);
    void startExport(const QString &path, TransferExporter::Format format,
                     const QList<TransferRecord> &records, bool allMatching);
    void setExporting(QThread *thread);
    void updateActions();
    void loadPartners();
    void restoreSettings();
    void saveSettings() const;

    Storage &m_storage;
    TransferHistoryModel *m_model = nullptr;
    TransferFilterBar *m_filterBar = nullptr;
    QComboBox *m_rangeBox = nullptr;
    QDateTimeEdit *m_fromEdit = nullptr;
    QDateTimeEdit *m_untilEdit = nullptr;
    QToolButton *m_exportButton = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_summary = nullptr;
    QTimer *m_debounce = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_findAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_selectAllAction = nullptr;
    QAction *m_exportSelectionAction = nullptr;
    QAction *m_exportAllAction = nullptr;
    TransferFilter m_appliedFilter;
    QPointer<QThread> m_exportThread;
    QPointer<QThread> m_partnerThread;
    bool m_restoring = false;
    quint64 m_copyGeneration = 0;
};

} // namespace Dcs
