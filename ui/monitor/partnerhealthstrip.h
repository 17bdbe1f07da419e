#pragma once

#include "transfer/circuitbreaker.h"

#include <QWidget>

#include <functional>

class QAction;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class QToolBar;

namespace Dcs {

class MonitorFeed;
class PartnerHealthModel;
class TransferEngine;

// The live monitor's partner health strip: a compact table of every partner's calls/s,
// success, timeouts, attempts not sent, p99, calls in flight and breaker state (with why and
// since when in its tooltip), and the admin's hand on the selected partner's breaker: force
// it open, force it closed, or give it back to the automatic rule (buttons, context menu).
//
// Polls the monitor feed and the engine on its own timer while it is active and visible, so a
// hidden page costs nothing. Activating a row (double-click, Enter) emits partnerActivated.
class PartnerHealthStrip final : public QWidget
{
    Q_OBJECT
public:
    using Clock = std::function<qint64()>; // ms since the epoch

    static constexpr int kRefreshMs = 100;

    PartnerHealthStrip(MonitorFeed &feed, TransferEngine &engine, QWidget *parent = nullptr);
    ~PartnerHealthStrip() override;

    // The time base of the statistics; MonitorFeed::currentTimeMs unless a test sets its own.
    void setClock(Clock clock);
    // Polls while active (the default) and shown; the page turns it off when not needed.
    void setActive(bool active);
    bool isActive() const { return m_active; }
    bool isPolling() const;
    // One poll, now: what the timer does.
    void refresh();

    PartnerHealthModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QAction *forceOpenAction() const { return m_forceOpen; }
    QAction *forceClosedAction() const { return m_forceClosed; }
    QAction *automaticAction() const { return m_automatic; }
    QAction *showTransfersAction() const { return m_showTransfers; }
    // The selected partner's id, or 0.
    qint64 currentPartnerId() const;
    void selectPartner(qint64 partnerId);

Q_SIGNALS:
    // The user asked to see this partner's transfers (the monitor filters its table on it).
    void partnerActivated(qint64 dpid);
    void statusMessage(const QString &message);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void setBreakerOverride(CircuitBreaker::Override override);
    void updateActions();
    void updateTimer();
    void showContextMenu(const QPoint &position);
    void showColumnMenu(const QPoint &position); // on the header: which columns show
    void copySelection();
    int currentSourceRow() const;

    MonitorFeed &m_feed;
    TransferEngine &m_engine;
    Clock m_clock;
    PartnerHealthModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QToolBar *m_toolBar = nullptr;
    QTimer *m_timer = nullptr;
    QAction *m_forceOpen = nullptr;
    QAction *m_forceClosed = nullptr;
    QAction *m_automatic = nullptr;
    QAction *m_showTransfers = nullptr;
    QAction *m_copy = nullptr;
    bool m_active = true;
};

} // namespace Dcs
