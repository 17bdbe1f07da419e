#pragma once

#include "visitorlookup.h"

#include <QStringList>
#include <QThreadPool>
#include <QWidget>

#include <atomic>
#include <functional>

class QAction;
class QLabel;
class QLineEdit;
class QListWidget;
class QSplitter;
class QTabWidget;
class QTableView;
class QTreeWidget;
class QTreeWidgetItem;

namespace Dcs {

class DcsServer;
class TransferListModel;
class VisitorEventsModel;
struct SegmentExplanation;

// The visitor explorer (rules.md, "Explain"): look a visitor up by UUID, tid or declared ID and
// see every trait held with what realized it and when it expires, every active segment as its
// rule tree with each part marked true or false (and the counts behind FREQUENCY), when the
// visitor will leave or join each segment if nothing new happens, and the recent events and
// partner calls. Every read runs on a worker thread; a newer lookup drops older answers.
class VisitorsPage final : public QWidget
{
    Q_OBJECT
public:
    using Clock = std::function<qint64()>;

    // Item data roles of the trees, for tests and accessibility tools.
    static constexpr int SidRole = Qt::UserRole + 1;   // trait or segment sid (top items)
    static constexpr int HoldsRole = Qt::UserRole + 2; // bool: the part or segment holds

    explicit VisitorsPage(DcsServer &server, QWidget *parent = nullptr);
    ~VisitorsPage() override;

    // Looks up what the user typed (VisitorQuery) and, once found, adds the visitor to the
    // back/forward history. Also what "Explain Visitor" elsewhere in the window calls.
    void lookUp(const QString &text);
    // The current visitor again (definitions or data may have changed).
    void refresh();
    void goBack();
    void goForward();
    bool canGoBack() const { return m_historyIndex > 0; }
    bool canGoForward() const { return m_historyIndex + 1 < m_history.size(); }

    bool isLoading() const { return m_loading; }
    // The last lookup shown.
    const VisitorLookupResult &result() const { return m_result; }
    // "now" for the explanation (tests pin it); the wall clock by default.
    void setClock(Clock clock) { m_clock = std::move(clock); }

    QLineEdit *lookupEdit() const { return m_lookupEdit; }
    QLabel *summaryLabel() const { return m_summary; }
    QTreeWidget *traitsTree() const { return m_traits; }
    QTreeWidget *segmentsTree() const { return m_segments; }
    QListWidget *changesList() const { return m_changes; }
    QTreeWidget *membershipChangesTree() const { return m_membershipChanges; }
    QTableView *eventsView() const { return m_eventsView; }
    QTableView *callsView() const { return m_callsView; }
    VisitorEventsModel *eventsModel() const { return m_eventsModel; }
    TransferListModel *callsModel() const { return m_callsModel; }
    QTabWidget *activityTabs() const { return m_tabs; }
    QAction *backAction() const { return m_backAction; }
    QAction *forwardAction() const { return m_forwardAction; }
    QAction *refreshAction() const { return m_refreshAction; }
    QAction *openInHistoryAction() const { return m_openInHistoryAction; }

    // "2024-03-20 13:00:00" in local time; "never" for Realization::Never.
    static QString formatTime(qint64 ms);

Q_SIGNALS:
    void statusMessage(const QString &message);
    // Show this /event's partner calls in the History page.
    void historyRequested(const QString &tid);
    // A lookup's answer is on screen (uuid empty when nobody was found).
    void lookupFinished(const QString &uuid);

protected:
    bool event(QEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildActions();
    void buildLayout();
    void start(const QString &text, bool addToHistory);
    void showResult(VisitorLookupResult result, bool addToHistory);
    void fillTraits();
    void fillSegments();
    void fillChanges();
    void fillMembershipChanges();
    void updateSummary();
    void updateNavigation();
    void openCurrentCall();
    void showCallsMenu(const QPoint &position);
    void showEventsMenu(const QPoint &position);
    QTreeWidgetItem *segmentNodeItem(const SegmentExplanation &node) const;
    QString traitLabel(qint64 sid) const;
    void restoreSettings();
    void saveSettings() const;
    qint64 now() const;

    DcsServer &m_server;
    QLineEdit *m_lookupEdit = nullptr;
    QLabel *m_summary = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QSplitter *m_explainSplitter = nullptr;
    QSplitter *m_segmentsSplitter = nullptr;
    QTreeWidget *m_traits = nullptr;
    QTreeWidget *m_segments = nullptr;
    QListWidget *m_changes = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTableView *m_eventsView = nullptr;
    QTableView *m_callsView = nullptr;
    QTreeWidget *m_membershipChanges = nullptr;
    VisitorEventsModel *m_eventsModel = nullptr;
    TransferListModel *m_callsModel = nullptr;
    QAction *m_lookUpAction = nullptr;
    QAction *m_backAction = nullptr;
    QAction *m_forwardAction = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_openInHistoryAction = nullptr;
    QAction *m_copyUuidAction = nullptr;

    VisitorLookupResult m_result;
    QStringList m_history; // UUIDs looked up, for back and forward
    int m_historyIndex = -1;
    Clock m_clock;
    bool m_loading = false;
    quint64 m_generation = 0;
    std::atomic<quint64> m_latestGeneration{0}; // read by the worker to skip stale lookups
    QThreadPool m_pool;                         // one thread: lookups in the order asked
};

} // namespace Dcs
