#pragma once

#include "transfer/transferrecord.h"

#include <QModelIndex>
#include <QWidget>

class QAction;
class QLabel;
class QMenu;
class QSpinBox;
class QSplitter;
class QTableView;
class QTimer;
class QToolBar;

namespace Dcs {

class DcsServer;
class LiveTransferModel;
class TransferDetailView;
class TransferFilterBar;
struct TransferFilter;

// The operators' main window onto the running DCS: the live transfers table fed by the monitor
// feed (polled on a timer, one insertion per batch, bounded), its filter bar, and the detail pane
// of the selected transfer. Above the table the page keeps room for the partner health strip and
// the live charts (setHealthStrip, setCharts), in one vertical splitter.
//
// The table follows the newest transfers until the user scrolls away from them (End follows
// again), and can be paused (Space or Ctrl+P) while the feed keeps what arrives for the resume.
// Polling stops while the page is hidden or set inactive.
class MonitorPage final : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kPollIntervalMs = 66; // about 15 polls a second

    explicit MonitorPage(DcsServer &server, QWidget *parent = nullptr);
    ~MonitorPage() override;

    // Insert the partner health strip and the live charts above the table (the page owns them
    // from then on). Each may be set once; the charts go below the strip.
    void setHealthStrip(QWidget *strip);
    void setCharts(QWidget *charts);

    // Polls only while active and shown (default active).
    void setActive(bool active);
    bool isActive() const { return m_active; }
    bool isPolling() const;

    // One poll now: what the timer does (tests call it to step the table).
    void pollNow();

    void setPaused(bool paused);
    bool isPaused() const;
    void setFollowingTail(bool follow);
    bool isFollowingTail() const { return m_follow; }

    LiveTransferModel *model() const { return m_model; }
    QTableView *table() const { return m_table; }
    TransferFilterBar *filterBar() const { return m_filterBar; }
    TransferDetailView *detailView() const { return m_detail; }
    QSplitter *splitter() const { return m_splitter; }
    QSplitter *detailSplitter() const { return m_detailSplitter; }
    QSpinBox *capacitySpin() const { return m_capacity; }
    QLabel *statusLabel() const { return m_status; }
    QAction *pauseAction() const { return m_pauseAction; }
    QAction *followAction() const { return m_followAction; }
    QAction *tailAction() const { return m_tailAction; }
    QAction *clearAction() const { return m_clearAction; }
    QAction *copyAction() const { return m_copyAction; }
    QAction *findAction() const { return m_findAction; }

    // The selected rows as text: a header line, then one tab-separated line per row (the
    // visible columns, in their order).
    QString selectedRowsText() const;
    // The context menu for the row at `index` (invalid: for the selection only). For tests.
    QMenu *createContextMenu(const QModelIndex &index);

Q_SIGNALS:
    void statusMessage(const QString &message);
    // "Explain Visitor" on a row: the Visitors page shows this visitor.
    void visitorRequested(const QString &uuid);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    QToolBar *createToolBar();
    void createActions();
    void setUpTable();
    void updatePolling();
    void updateStatus();
    void refreshPartners();
    void scrollToTail();
    void scrollValueChanged(int value);
    void currentRowChanged(const QModelIndex &current);
    void restoreSelection();
    void showHeaderMenu(const QPoint &position);
    void showContextMenu(const QPoint &position);
    void applyCapacity();
    void copySelectedRows();
    void copyText(const QString &text, const QString &what);
    void filterBy(const TransferFilter &narrowed);
    void copyAsCurl(const TransferRecord &record, bool reveal);
    void restoreLayout();
    void saveLayout();
    bool atTail() const;

    DcsServer &m_server;
    LiveTransferModel *m_model = nullptr;
    QTableView *m_table = nullptr;
    TransferFilterBar *m_filterBar = nullptr;
    TransferDetailView *m_detail = nullptr;
    QSplitter *m_splitter = nullptr;       // health strip, charts, table panel
    QSplitter *m_detailSplitter = nullptr; // table | detail
    QWidget *m_healthStrip = nullptr;
    QWidget *m_charts = nullptr;
    QSpinBox *m_capacity = nullptr;
    QLabel *m_status = nullptr;
    QTimer *m_pollTimer = nullptr;
    QAction *m_pauseAction = nullptr;
    QAction *m_followAction = nullptr;
    QAction *m_tailAction = nullptr;
    QAction *m_clearAction = nullptr;
    QAction *m_copyAction = nullptr;
    QAction *m_findAction = nullptr;
    bool m_active = true;
    bool m_follow = true;
    bool m_scrolling = false;      // the page itself moves the scroll bar
    bool m_modelChanging = false;  // rows leave or the model resets: not the user's selection
    bool m_layoutRestored = false;
    qint64 m_shownSequence = 0;    // the transfer in the detail pane
    qint64 m_missedAtPause = 0;
    QString m_lastStatus;
    QList<QPair<qint64, QString>> m_partnerChoices;
};

} // namespace Dcs
