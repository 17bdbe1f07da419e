#pragma once

#include "partners/onboardingrun.h"
#include "partners/partner.h"

#include <QWidget>

#include <optional>

class QAction;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QModelIndex;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QSplitter;
class QTabWidget;
class QTableView;
class QToolButton;

namespace Dcs {

class DcsServer;
class OnboardingCallsModel;
class OnboardingChecksModel;
class OnboardingCompareView;
class OnboardingHistoryModel;
class OnboardingRunner;
class WaterfallWidget;

// Where an admin brings a new partner to life (partner-protocol.md, "Onboarding test"): compose
// one call or a run of N calls at R/s (visitor, dpuuid, signals, tmax), run it with a progress
// bar and Cancel, and read each call (the exact request with its signature masked, the raw
// answer, the timing waterfall) and the checks of the report with their reasons. The partner's
// earlier runs are listed with each check's result; two of them can be compared (answers that
// changed, timings side by side). Any call copies as a curl command.
//
// The run, the history reads and the secret lookups happen on a worker thread of the panel
// (OnboardingRunner). The panel must be destroyed before the DcsServer it was given.
class OnboardingPanel final : public QWidget
{
    Q_OBJECT
public:
    explicit OnboardingPanel(DcsServer &server, QWidget *parent = nullptr);
    ~OnboardingPanel() override;

    // The partner to test (nullopt: none, the panel is disabled). Choosing another partner
    // cancels a run in progress; the same partner again (after an edit) only updates it.
    void setPartner(const std::optional<Dcs::Partner> &partner);
    const std::optional<Partner> &partner() const { return m_partner; }
    bool isRunning() const;
    // The report shown: the run that finished last here, or one opened from the history.
    const OnboardingReport &shownReport() const { return m_shown; }

    // The signals field: one key=value per line; a key on several lines gets several values;
    // blank lines and lines starting with # are skipped. On a bad line returns {} and says why.
    static QList<Signal> parseSignals(const QString &text, QString *error);

    void run();
    void cancel();
    void copyCurl();
    void copyReport();
    void compareSelectedRuns();
    void openSelectedRun();
    void reloadHistory();

    // For menus of the window that holds the panel.
    QAction *runAction() const { return m_runAction; }
    QAction *cancelAction() const { return m_cancelAction; }
    QAction *copyCurlAction() const { return m_copyCurlAction; }
    QAction *revealAction() const { return m_revealAction; }
    QAction *copyReportAction() const { return m_copyReportAction; }
    QAction *compareAction() const { return m_compareAction; }
    QAction *openRunAction() const { return m_openRunAction; }

    QLineEdit *visitorEdit() const { return m_visitor; }
    QLineEdit *dpuuidEdit() const { return m_dpuuid; }
    QPlainTextEdit *signalsEdit() const { return m_signals; }
    QSpinBox *callsSpin() const { return m_calls; }
    QDoubleSpinBox *rateSpin() const { return m_rate; }
    QSpinBox *tmaxSpin() const { return m_tmax; }
    QPushButton *runButton() const { return m_runButton; }
    QPushButton *cancelButton() const { return m_cancelButton; }
    QProgressBar *progressBar() const { return m_progress; }
    QLabel *summaryLabel() const { return m_summary; }
    QTabWidget *tabs() const { return m_tabs; }
    QTableView *callsView() const { return m_callsView; }
    QTableView *checksView() const { return m_checksView; }
    QTableView *historyView() const { return m_historyView; }
    OnboardingCallsModel *callsModel() const { return m_callsModel; }
    OnboardingChecksModel *checksModel() const { return m_checksModel; }
    OnboardingHistoryModel *historyModel() const { return m_historyModel; }
    OnboardingCompareView *compareView() const { return m_compareView; }
    QPlainTextEdit *requestView() const { return m_requestView; }
    QPlainTextEdit *answerView() const { return m_answerView; }
    WaterfallWidget *waterfall() const { return m_waterfall; }

Q_SIGNALS:
    void statusMessage(const QString &message);
    // After the view shows the finished run (also when another partner was selected meanwhile).
    void runFinished(const Dcs::OnboardingReport &report);
    void historyLoaded();

private:
    QWidget *createCompose();
    QWidget *createResults();
    QWidget *createHistory();
    void createActions();
    void connectRunner();
    void restoreState();
    void saveState() const;

    void updateActions();
    void updatePartnerHints();
    void updateSignalsNote();
    void updateRunButton();
    void resetResults();
    void showReport(const OnboardingReport &report, bool fromHistory);
    void showSummary(const OnboardingReport &report, bool fromHistory);
    void showCallDetail();
    void selectFirstCall();
    int currentCallRow() const;         // in the calls model; -1 when none
    QList<int> selectedHistoryRows() const; // in the history model
    void callContextMenu(const QPoint &position);
    void copyText(const QString &text, const QString &message);
    QString reportText(const OnboardingReport &report) const;
    void onCallsFinished(const QList<int> &indexes, const QList<TransferRecord> &records);
    void onRunFinished(const OnboardingReport &report);
    void onHistoryLoaded(qint64 partnerId, const QList<OnboardingReport> &reports,
                         const QString &error);
    void onRunLoaded(qint64 runId, const std::optional<OnboardingReport> &report,
                     const QString &error);
    void onCurlReady(const QString &command, bool revealed, bool sameAsSent,
                     const QString &problem);

    DcsServer &m_server;
    OnboardingRunner *m_runner = nullptr;
    std::optional<Partner> m_partner;
    OnboardingReport m_shown;
    bool m_live = false;       // the calls view follows a run of this panel's partner
    qint64 m_selectRunId = 0;  // select this run when the history arrives
    bool m_openNewest = false; // open the newest run when the history arrives
    bool m_quietLoad = false;  // that opening: no tab switch, no status message
    int m_curlCall = -1;       // the call whose curl command is being built

    QLineEdit *m_visitor = nullptr;
    QLineEdit *m_dpuuid = nullptr;
    QPlainTextEdit *m_signals = nullptr;
    QLabel *m_signalsNote = nullptr;
    QSpinBox *m_calls = nullptr;
    QDoubleSpinBox *m_rate = nullptr;
    QSpinBox *m_tmax = nullptr;
    QLabel *m_partnerNote = nullptr;
    QPushButton *m_runButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QProgressBar *m_progress = nullptr;
    QToolButton *m_copyButton = nullptr;
    QLabel *m_verdictIcon = nullptr;
    QLabel *m_summary = nullptr;
    QTabWidget *m_tabs = nullptr;

    OnboardingCallsModel *m_callsModel = nullptr;
    QSortFilterProxyModel *m_callsProxy = nullptr;
    QTableView *m_callsView = nullptr;
    OnboardingChecksModel *m_checksModel = nullptr;
    QTableView *m_checksView = nullptr;
    QLabel *m_callTitle = nullptr;
    QTabWidget *m_detailTabs = nullptr;
    QPlainTextEdit *m_requestView = nullptr;
    QPlainTextEdit *m_answerView = nullptr;
    WaterfallWidget *m_waterfall = nullptr;
    QSplitter *m_resultsSplitter = nullptr;
    QSplitter *m_callsSplitter = nullptr;
    QSplitter *m_detailSplitter = nullptr;

    OnboardingHistoryModel *m_historyModel = nullptr;
    QSortFilterProxyModel *m_historyProxy = nullptr;
    QTableView *m_historyView = nullptr;
    OnboardingCompareView *m_compareView = nullptr;
    QSplitter *m_historySplitter = nullptr;

    QAction *m_runAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_copyCurlAction = nullptr;
    QAction *m_revealAction = nullptr;
    QAction *m_copyRequestAction = nullptr;
    QAction *m_copyAnswerAction = nullptr;
    QAction *m_copyReportAction = nullptr;
    QAction *m_copyChecksAction = nullptr;
    QAction *m_copyHistoryAction = nullptr;
    QAction *m_copyComparisonAction = nullptr;
    QAction *m_openRunAction = nullptr;
    QAction *m_compareAction = nullptr;
    QAction *m_reloadHistoryAction = nullptr;
};

} // namespace Dcs
