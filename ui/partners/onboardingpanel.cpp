#include "onboardingpanel.h"

#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "dcs/testpartnercommand.h"
#include "monitor/transfercolumns.h"
#include "monitor/waterfallwidget.h"
#include "elidemiddledelegate.h"
#include "onboardingcallsmodel.h"
#include "onboardingchecksmodel.h"
#include "onboardingcompareview.h"
#include "onboardinghistorymodel.h"
#include "onboardingrunner.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDoubleSpinBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <tuple>

namespace Dcs {

namespace {

constexpr int kResultsTab = 0;
constexpr int kHistoryTab = 1;

QTableView *makeTable(const QString &objectName, const QString &accessibleName)
{
    auto *view = new QTableView;
    view->setObjectName(objectName);
    view->setAccessibleName(accessibleName);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setAlternatingRowColors(true);
    view->setWordWrap(false);
    view->verticalHeader()->hide();
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 6);
    view->horizontalHeader()->setStretchLastSection(true);
    view->horizontalHeader()->setHighlightSections(false);
    return view;
}

// A right click on the header lists the columns to show or hide (the header's state, hidden
// columns included, is saved with the panel).
void installColumnChooser(QTableView *view)
{
    QHeaderView *header = view->horizontalHeader();
    header->setContextMenuPolicy(Qt::CustomContextMenu);
    QObject::connect(header, &QWidget::customContextMenuRequested, view,
                     [view, header](const QPoint &position) {
                         QMenu menu(view);
                         QAbstractItemModel *model = view->model();
                         const int visible = header->count() - header->hiddenSectionCount();
                         for (int column = 0; column < model->columnCount(); ++column) {
                             QAction *action = menu.addAction(
                                 model->headerData(column, Qt::Horizontal).toString());
                             action->setCheckable(true);
                             action->setChecked(!header->isSectionHidden(column));
                             // The last visible column stays.
                             action->setEnabled(!(action->isChecked() && visible == 1));
                             QObject::connect(action, &QAction::toggled, view,
                                              [view, column](bool shown) {
                                                  view->setColumnHidden(column, !shown);
                                              });
                         }
                         menu.exec(header->viewport()->mapToGlobal(position));
                     });
}

QPlainTextEdit *makeTextView(const QString &objectName, const QString &accessibleName)
{
    auto *view = new QPlainTextEdit;
    view->setObjectName(objectName);
    view->setAccessibleName(accessibleName);
    view->setReadOnly(true);
    view->setLineWrapMode(QPlainTextEdit::WidgetWidth);
    view->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return view;
}

QSplitter *makeSplitter(Qt::Orientation orientation, const QString &objectName)
{
    auto *splitter = new QSplitter(orientation);
    splitter->setObjectName(objectName);
    splitter->setChildrenCollapsible(false);
    return splitter;
}

QAction *copyShortcutAction(const QString &text, QObject *parent)
{
    auto *action = new QAction(QIcon::fromTheme(QStringLiteral("edit-copy")), text, parent);
    action->setShortcut(QKeySequence::Copy);
    action->setShortcutContext(Qt::WidgetShortcut);
    return action;
}

// Without a translation loaded, "%n" plurals stay "call(s)": say it in full instead.
QString callsText(qsizetype count)
{
    return count == 1 ? OnboardingPanel::tr("1 call")
                      : OnboardingPanel::tr("%1 calls").arg(count);
}

QString answersChangedText(qsizetype count)
{
    return count == 1 ? OnboardingPanel::tr("1 answer changed")
                      : OnboardingPanel::tr("%1 answers changed").arg(count);
}

} // namespace

OnboardingPanel::OnboardingPanel(DcsServer &server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
{
    setObjectName(QStringLiteral("onboardingPanel"));
    m_runner = new OnboardingRunner(*server.storage(), *server.transferEngine(), this);

    createActions();
    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("onboardingTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(createResults(), tr("Results"));
    m_tabs->addTab(createHistory(), tr("History"));
    m_tabs->setTabToolTip(kResultsTab, tr("The calls and checks of the run in progress, the "
                                          "last one, or one opened from the history"));
    m_tabs->setTabToolTip(kHistoryTab, tr("Every run of this partner; select two to compare"));

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(createCompose());
    layout->addWidget(m_tabs, 1);

    connectRunner();
    restoreState();
    setPartner(std::nullopt);
}

OnboardingPanel::~OnboardingPanel()
{
    saveState();
}

// ---- building

void OnboardingPanel::createActions()
{
    m_runAction = new QAction(QIcon::fromTheme(QStringLiteral("media-playback-start"),
                                               style()->standardIcon(QStyle::SP_MediaPlay)),
                              tr("&Run Test"), this);
    m_runAction->setShortcuts({QKeySequence(Qt::CTRL | Qt::Key_Return),
                               QKeySequence(Qt::CTRL | Qt::Key_Enter)});
    m_runAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_runAction->setToolTip(tr("Send the calls to the partner (Ctrl+Return)"));
    connect(m_runAction, &QAction::triggered, this, &OnboardingPanel::run);
    addAction(m_runAction);

    m_cancelAction = new QAction(QIcon::fromTheme(QStringLiteral("process-stop"),
                                                  style()->standardIcon(QStyle::SP_BrowserStop)),
                                 tr("&Cancel Run"), this);
    m_cancelAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancelAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_cancelAction->setToolTip(tr("Start no new calls; the calls in flight finish (Esc)"));
    connect(m_cancelAction, &QAction::triggered, this, &OnboardingPanel::cancel);
    addAction(m_cancelAction);

    m_copyCurlAction = copyShortcutAction(tr("Copy as &curl"), this);
    m_copyCurlAction->setToolTip(tr("Copy the selected call as a curl command (Ctrl+C in the "
                                    "calls table); the signature is masked unless revealed"));
    connect(m_copyCurlAction, &QAction::triggered, this, &OnboardingPanel::copyCurl);

    m_revealAction = new QAction(tr("Reveal Signature in curl"), this);
    m_revealAction->setCheckable(true);
    m_revealAction->setToolTip(tr("Copied curl commands carry the real signature, so the call "
                                  "can be replayed as it was signed. The request shown here "
                                  "always stays masked."));

    m_copyRequestAction = new QAction(tr("Copy Request"), this);
    connect(m_copyRequestAction, &QAction::triggered, this, [this] {
        const int row = currentCallRow();
        if (row >= 0)
            copyText(QString::fromUtf8(m_callsModel->record(row).requestText),
                     tr("Copied the request of call %1 (signature masked)")
                         .arg(m_callsModel->callIndex(row) + 1));
    });
    m_copyAnswerAction = new QAction(tr("Copy Answer"), this);
    connect(m_copyAnswerAction, &QAction::triggered, this, [this] {
        const int row = currentCallRow();
        if (row >= 0)
            copyText(QString::fromUtf8(m_callsModel->record(row).responseText),
                     tr("Copied the answer to call %1").arg(m_callsModel->callIndex(row) + 1));
    });

    // For menus; Ctrl+C copies the report in the checks table (m_copyChecksAction).
    m_copyReportAction = new QAction(QIcon::fromTheme(QStringLiteral("edit-copy")),
                                     tr("Copy &Report"), this);
    m_copyReportAction->setToolTip(tr("Copy the run's calls, checks and result as text"));
    connect(m_copyReportAction, &QAction::triggered, this, &OnboardingPanel::copyReport);
    m_copyChecksAction = copyShortcutAction(tr("Copy Report"), this);
    m_copyChecksAction->setToolTip(m_copyReportAction->toolTip());
    connect(m_copyChecksAction, &QAction::triggered, this, &OnboardingPanel::copyReport);

    m_copyHistoryAction = copyShortcutAction(tr("Copy Report"), this);
    connect(m_copyHistoryAction, &QAction::triggered, this, [this] {
        QStringList reports;
        for (int row : selectedHistoryRows())
            reports.append(m_historyModel->report(row).toText());
        if (!reports.isEmpty())
            copyText(reports.join(u'\n'), reports.size() == 1
                                               ? tr("Copied the report of the run")
                                               : tr("Copied the reports of %1 runs")
                                                     .arg(reports.size()));
    });

    m_copyComparisonAction = copyShortcutAction(tr("Copy Comparison"), this);
    connect(m_copyComparisonAction, &QAction::triggered, this, [this] {
        copyText(m_compareView->text(), tr("Copied the comparison"));
    });

    m_openRunAction = new QAction(QIcon::fromTheme(QStringLiteral("document-open")),
                                  tr("&Open Run"), this);
    m_openRunAction->setToolTip(tr("Show the selected run's calls and checks in Results "
                                   "(Return, or double-click)"));
    connect(m_openRunAction, &QAction::triggered, this, &OnboardingPanel::openSelectedRun);

    m_compareAction = new QAction(QIcon::fromTheme(QStringLiteral("view-split-left-right")),
                                  tr("Co&mpare"), this);
    m_compareAction->setToolTip(tr("Compare the two selected runs: answers that changed, "
                                   "timings and checks"));
    connect(m_compareAction, &QAction::triggered, this, &OnboardingPanel::compareSelectedRuns);

    m_reloadHistoryAction = new QAction(QIcon::fromTheme(QStringLiteral("view-refresh"),
                                                         style()->standardIcon(
                                                             QStyle::SP_BrowserReload)),
                                        tr("Reload History"), this);
    m_reloadHistoryAction->setShortcut(QKeySequence::Refresh);
    m_reloadHistoryAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(m_reloadHistoryAction, &QAction::triggered, this, &OnboardingPanel::reloadHistory);
}

QWidget *OnboardingPanel::createCompose()
{
    m_visitor = new QLineEdit;
    m_visitor->setObjectName(QStringLiteral("visitorEdit"));
    m_visitor->setPlaceholderText(tr("generated: the same visitors every run"));
    m_visitor->setToolTip(tr("The visitor's UUID sent in every call. Empty: a generated visitor "
                             "per call, the same ones in every run, so runs compare answer "
                             "by answer."));
    m_visitor->setClearButtonEnabled(true);
    m_dpuuid = new QLineEdit;
    m_dpuuid->setObjectName(QStringLiteral("dpuuidEdit"));
    m_dpuuid->setPlaceholderText(tr("none (no synced ID)"));
    m_dpuuid->setToolTip(tr("The visitor's ID at the partner (dpuuid); empty sends none"));
    m_dpuuid->setClearButtonEnabled(true);

    m_calls = new QSpinBox;
    m_calls->setObjectName(QStringLiteral("callsSpin"));
    m_calls->setAccessibleName(tr("Calls"));
    m_calls->setRange(1, 100000);
    m_calls->setToolTip(tr("How many calls the run makes; 1 sends a single call"));
    m_rate = new QDoubleSpinBox;
    m_rate->setObjectName(QStringLiteral("rateSpin"));
    m_rate->setAccessibleName(tr("Rate"));
    m_rate->setRange(0.1, 10000);
    m_rate->setDecimals(1);
    m_rate->setSuffix(tr(" /s"));
    m_rate->setToolTip(tr("Calls started per second"));
    m_tmax = new QSpinBox;
    m_tmax->setObjectName(QStringLiteral("tmaxSpin"));
    m_tmax->setAccessibleName(tr("tmax"));
    m_tmax->setRange(0, 60000);
    m_tmax->setSuffix(tr(" ms"));
    m_tmax->setToolTip(tr("The budget sent as X-DCS-Tmax; the partner's timeout when left at "
                          "its lowest value"));
    auto *sizes = new QHBoxLayout;
    sizes->setContentsMargins(0, 0, 0, 0);
    sizes->addWidget(m_calls);
    auto *rateLabel = new QLabel(tr("&at"));
    rateLabel->setBuddy(m_rate);
    sizes->addWidget(rateLabel);
    sizes->addWidget(m_rate);
    auto *tmaxLabel = new QLabel(tr("t&max"));
    tmaxLabel->setBuddy(m_tmax);
    sizes->addWidget(tmaxLabel);
    sizes->addWidget(m_tmax);
    sizes->addStretch(1);

    auto *form = new QFormLayout;
    form->setContentsMargins(0, 0, 0, 0);
    form->addRow(tr("&Visitor UUID:"), m_visitor);
    form->addRow(tr("&DPUUID:"), m_dpuuid);
    auto *callsLabel = new QLabel(tr("Ca&lls:"));
    callsLabel->setBuddy(m_calls);
    form->addRow(callsLabel, sizes);

    m_signals = new QPlainTextEdit;
    m_signals->setObjectName(QStringLiteral("signalsEdit"));
    m_signals->setAccessibleName(tr("Signals"));
    m_signals->setPlaceholderText(tr("c_section=sports\nc_lang=en"));
    m_signals->setTabChangesFocus(true);
    m_signals->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_signals->setMaximumHeight(m_signals->fontMetrics().lineSpacing() * 4 + 12);
    m_signalsNote = new QLabel;
    m_signalsNote->setObjectName(QStringLiteral("signalsNote"));
    m_signalsNote->setWordWrap(true);
    m_signalsNote->setForegroundRole(QPalette::PlaceholderText);
    auto *signalsLabel = new QLabel(tr("&Signals (key=value per line):"));
    signalsLabel->setBuddy(m_signals);
    auto *signalsColumn = new QVBoxLayout;
    signalsColumn->setContentsMargins(0, 0, 0, 0);
    signalsColumn->setSpacing(2);
    signalsColumn->addWidget(signalsLabel);
    signalsColumn->addWidget(m_signals);
    signalsColumn->addWidget(m_signalsNote);

    auto *fields = new QHBoxLayout;
    fields->addLayout(form, 3);
    fields->addLayout(signalsColumn, 2);

    m_runButton = new QPushButton;
    m_runButton->setObjectName(QStringLiteral("runButton"));
    m_runButton->setIcon(m_runAction->icon());
    m_runButton->setToolTip(m_runAction->toolTip());
    m_runButton->setDefault(true);
    connect(m_runButton, &QPushButton::clicked, m_runAction, &QAction::trigger);
    m_cancelButton = new QPushButton(m_cancelAction->icon(), tr("Cancel"));
    m_cancelButton->setObjectName(QStringLiteral("cancelButton"));
    m_cancelButton->setToolTip(m_cancelAction->toolTip());
    connect(m_cancelButton, &QPushButton::clicked, m_cancelAction, &QAction::trigger);
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("progressBar"));
    m_progress->setAccessibleName(tr("Run progress"));
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Not running"));

    auto *copyMenu = new QMenu(this);
    copyMenu->addAction(m_copyCurlAction);
    copyMenu->addAction(m_revealAction);
    copyMenu->addSeparator();
    copyMenu->addAction(m_copyReportAction);
    m_copyButton = new QToolButton;
    m_copyButton->setObjectName(QStringLiteral("copyButton"));
    m_copyButton->setIcon(QIcon::fromTheme(QStringLiteral("edit-copy")));
    m_copyButton->setText(tr("Copy"));
    m_copyButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_copyButton->setAccessibleName(tr("Copy"));
    m_copyButton->setToolTip(tr("Copy the selected call as curl, or the report"));
    m_copyButton->setMenu(copyMenu);
    m_copyButton->setPopupMode(QToolButton::InstantPopup);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_runButton);
    buttons->addWidget(m_cancelButton);
    buttons->addWidget(m_progress, 1);
    buttons->addWidget(m_copyButton);

    m_verdictIcon = new QLabel;
    m_verdictIcon->setObjectName(QStringLiteral("verdictIcon"));
    m_verdictIcon->setFixedSize(18, 18);
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("summaryLabel"));
    m_summary->setTextFormat(Qt::RichText);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_summary->setWordWrap(true);
    m_partnerNote = new QLabel;
    m_partnerNote->setObjectName(QStringLiteral("partnerNote"));
    m_partnerNote->setTextFormat(Qt::PlainText);
    m_partnerNote->setWordWrap(true);
    m_partnerNote->setForegroundRole(QPalette::PlaceholderText);
    auto *summaryRow = new QHBoxLayout;
    summaryRow->addWidget(m_verdictIcon, 0, Qt::AlignTop);
    summaryRow->addWidget(m_summary, 1);

    auto *box = new QGroupBox(tr("Test request"));
    box->setObjectName(QStringLiteral("composeBox"));
    auto *layout = new QVBoxLayout(box);
    layout->addWidget(m_partnerNote);
    layout->addLayout(fields);
    layout->addLayout(buttons);
    layout->addLayout(summaryRow);

    connect(m_calls, &QSpinBox::valueChanged, this, &OnboardingPanel::updateRunButton);
    connect(m_signals, &QPlainTextEdit::textChanged, this, &OnboardingPanel::updateSignalsNote);
    return box;
}

QWidget *OnboardingPanel::createResults()
{
    m_callsModel = new OnboardingCallsModel(this);
    m_callsProxy = new QSortFilterProxyModel(this);
    m_callsProxy->setSourceModel(m_callsModel);
    m_callsProxy->setSortRole(TransferColumns::SortRole);
    m_callsView = makeTable(QStringLiteral("callsView"), tr("Calls of the run"));
    m_callsView->setModel(m_callsProxy);
    m_callsView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_callsView->setItemDelegateForColumn(OnboardingCallsModel::columnOf(TransferColumns::Visitor),
                                          new ElideMiddleDelegate(m_callsView));
    m_callsView->setSortingEnabled(true);
    m_callsView->sortByColumn(OnboardingCallsModel::NumberColumn, Qt::AscendingOrder);
    // One partner, and the tid is the call's number: both hidden unless chosen.
    m_callsView->setColumnHidden(OnboardingCallsModel::columnOf(TransferColumns::Partner), true);
    m_callsView->setColumnHidden(OnboardingCallsModel::columnOf(TransferColumns::Tid), true);
    installColumnChooser(m_callsView);
    const QFontMetrics metrics = m_callsView->fontMetrics();
    const auto widthOf = [&metrics](const QString &sample) {
        return metrics.horizontalAdvance(sample) + 24;
    };
    QHeaderView *callsHeader = m_callsView->horizontalHeader();
    callsHeader->resizeSection(OnboardingCallsModel::NumberColumn,
                               widthOf(QStringLiteral("00000")));
    callsHeader->resizeSection(OnboardingCallsModel::columnOf(TransferColumns::Time),
                               widthOf(QStringLiteral("00:00:00.000")));
    callsHeader->resizeSection(OnboardingCallsModel::columnOf(TransferColumns::Tid),
                               widthOf(QStringLiteral("test00000000")));
    callsHeader->resizeSection(OnboardingCallsModel::columnOf(TransferColumns::Visitor),
                               widthOf(QStringLiteral("0000000000000000")));
    callsHeader->resizeSection(OnboardingCallsModel::columnOf(TransferColumns::Outcome),
                               widthOf(QStringLiteral("Network error")) + 16);
    callsHeader->resizeSection(OnboardingCallsModel::columnOf(TransferColumns::Budget),
                               widthOf(QStringLiteral("80 / 80 ms")));
    callsHeader->resizeSection(OnboardingCallsModel::columnOf(TransferColumns::Latency),
                               widthOf(QStringLiteral("000.0 ms")));
    m_callsView->setContextMenuPolicy(Qt::CustomContextMenu);
    m_callsView->addAction(m_copyCurlAction);
    connect(m_callsView, &QWidget::customContextMenuRequested, this,
            &OnboardingPanel::callContextMenu);
    connect(m_callsView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] {
        showCallDetail();
        updateActions();
    });

    m_checksModel = new OnboardingChecksModel(this);
    m_checksView = makeTable(QStringLiteral("checksView"), tr("Checks of the run"));
    m_checksView->setModel(m_checksModel);
    m_checksView->setWordWrap(true);
    m_checksView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_checksView->addAction(m_copyChecksAction);
    m_checksView->horizontalHeader()->resizeSection(OnboardingChecksModel::Check, 150);
    m_checksView->horizontalHeader()->resizeSection(OnboardingChecksModel::Result, 70);

    auto *checksPane = new QWidget;
    auto *checksLayout = new QVBoxLayout(checksPane);
    checksLayout->setContentsMargins(0, 0, 0, 0);
    checksLayout->addWidget(m_checksView);

    m_callsSplitter = makeSplitter(Qt::Horizontal, QStringLiteral("callsSplitter"));
    m_callsSplitter->addWidget(m_callsView);
    m_callsSplitter->addWidget(checksPane);
    m_callsSplitter->setStretchFactor(0, 3);
    m_callsSplitter->setStretchFactor(1, 2);

    // The selected call.
    m_callTitle = new QLabel(tr("Select a call to see its request, answer and timing."));
    m_callTitle->setObjectName(QStringLiteral("callTitle"));
    m_callTitle->setWordWrap(true);
    m_callTitle->setTextFormat(Qt::PlainText);
    m_callTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_requestView = makeTextView(QStringLiteral("requestView"),
                                 tr("The request as sent, signature masked"));
    m_answerView = makeTextView(QStringLiteral("answerView"), tr("The raw answer"));
    auto *revealBox = new QCheckBox(tr("Reveal the signature in curl"));
    revealBox->setObjectName(QStringLiteral("revealCheck"));
    revealBox->setToolTip(m_revealAction->toolTip());
    connect(revealBox, &QCheckBox::toggled, m_revealAction, &QAction::setChecked);
    connect(m_revealAction, &QAction::toggled, revealBox, &QCheckBox::setChecked);
    auto *curlButton = new QToolButton;
    curlButton->setObjectName(QStringLiteral("copyCurlButton"));
    curlButton->setDefaultAction(m_copyCurlAction);
    curlButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    auto *requestBar = new QHBoxLayout;
    requestBar->setContentsMargins(0, 0, 0, 0);
    requestBar->addWidget(curlButton);
    requestBar->addWidget(revealBox);
    requestBar->addStretch(1);
    auto *requestPane = new QWidget;
    auto *requestLayout = new QVBoxLayout(requestPane);
    requestLayout->setContentsMargins(0, 0, 0, 0);
    requestLayout->addLayout(requestBar);
    requestLayout->addWidget(m_requestView, 1);
    m_detailTabs = new QTabWidget;
    m_detailTabs->setObjectName(QStringLiteral("callDetailTabs"));
    m_detailTabs->addTab(requestPane, tr("Request"));
    m_detailTabs->addTab(m_answerView, tr("Answer"));

    m_waterfall = new WaterfallWidget;
    m_waterfall->setObjectName(QStringLiteral("callWaterfall"));
    m_waterfall->setAccessibleName(tr("Timing of the selected call"));
    auto *timingPane = new QWidget;
    auto *timingLayout = new QVBoxLayout(timingPane);
    timingLayout->setContentsMargins(0, 0, 0, 0);
    timingLayout->addWidget(new QLabel(tr("Timing against the budget (X-DCS-Tmax)")));
    timingLayout->addWidget(m_waterfall);
    timingLayout->addStretch(1);

    m_detailSplitter = makeSplitter(Qt::Horizontal, QStringLiteral("detailSplitter"));
    m_detailSplitter->addWidget(m_detailTabs);
    m_detailSplitter->addWidget(timingPane);
    m_detailSplitter->setStretchFactor(0, 3);
    m_detailSplitter->setStretchFactor(1, 2);
    auto *detailPane = new QWidget;
    auto *detailLayout = new QVBoxLayout(detailPane);
    detailLayout->setContentsMargins(0, 0, 0, 0);
    detailLayout->addWidget(m_callTitle);
    detailLayout->addWidget(m_detailSplitter, 1);

    m_resultsSplitter = makeSplitter(Qt::Vertical, QStringLiteral("resultsSplitter"));
    m_resultsSplitter->addWidget(m_callsSplitter);
    m_resultsSplitter->addWidget(detailPane);
    m_resultsSplitter->setStretchFactor(0, 1);
    m_resultsSplitter->setStretchFactor(1, 1);
    return m_resultsSplitter;
}

QWidget *OnboardingPanel::createHistory()
{
    m_historyModel = new OnboardingHistoryModel(this);
    m_historyProxy = new QSortFilterProxyModel(this);
    m_historyProxy->setSourceModel(m_historyModel);
    m_historyProxy->setSortRole(OnboardingHistoryModel::SortRole);
    m_historyView = makeTable(QStringLiteral("historyView"), tr("Runs of this partner"));
    m_historyView->setModel(m_historyProxy);
    m_historyView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_historyView->setSortingEnabled(true);
    m_historyView->sortByColumn(OnboardingHistoryModel::When, Qt::DescendingOrder);
    m_historyView->horizontalHeader()->setStretchLastSection(false);
    m_historyView->setToolTip(tr("Select two runs (Ctrl+click) to compare them; open one to "
                                 "see its calls"));
    m_historyView->setContextMenuPolicy(Qt::ActionsContextMenu);
    m_historyView->addAction(m_openRunAction);
    m_historyView->addAction(m_compareAction);
    m_historyView->addAction(m_copyHistoryAction);
    m_historyView->addAction(m_reloadHistoryAction);
    connect(m_historyView, &QAbstractItemView::activated, this,
            &OnboardingPanel::openSelectedRun);
    connect(m_historyView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &OnboardingPanel::updateActions);

    const auto toolButton = [](QAction *action, const QString &objectName) {
        auto *button = new QToolButton;
        button->setObjectName(objectName);
        button->setDefaultAction(action);
        button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        return button;
    };
    auto *reload = new QToolButton;
    reload->setObjectName(QStringLiteral("reloadHistoryButton"));
    reload->setDefaultAction(m_reloadHistoryAction);
    reload->setAccessibleName(tr("Reload history"));
    auto *bar = new QHBoxLayout;
    bar->setContentsMargins(0, 0, 0, 0);
    bar->addWidget(toolButton(m_openRunAction, QStringLiteral("openRunButton")));
    bar->addWidget(toolButton(m_compareAction, QStringLiteral("compareButton")));
    bar->addStretch(1);
    bar->addWidget(reload);

    auto *listPane = new QWidget;
    auto *listLayout = new QVBoxLayout(listPane);
    listLayout->setContentsMargins(0, 0, 0, 0);
    listLayout->addLayout(bar);
    listLayout->addWidget(m_historyView, 1);

    m_compareView = new OnboardingCompareView;
    m_compareView->setObjectName(QStringLiteral("compareView"));
    for (QTableView *view : {m_compareView->changesView(), m_compareView->checksView()})
        view->addAction(m_copyComparisonAction);

    m_historySplitter = makeSplitter(Qt::Vertical, QStringLiteral("historySplitter"));
    m_historySplitter->addWidget(listPane);
    m_historySplitter->addWidget(m_compareView);
    m_historySplitter->setStretchFactor(0, 1);
    m_historySplitter->setStretchFactor(1, 2);
    return m_historySplitter;
}

void OnboardingPanel::connectRunner()
{
    connect(m_runner, &OnboardingRunner::callsFinished, this, &OnboardingPanel::onCallsFinished);
    connect(m_runner, &OnboardingRunner::progress, this, [this](int finished, int total) {
        if (!m_live)
            return;
        m_progress->setRange(0, total);
        m_progress->setValue(finished);
    });
    connect(m_runner, &OnboardingRunner::runFinished, this, &OnboardingPanel::onRunFinished);
    connect(m_runner, &OnboardingRunner::historyLoaded, this, &OnboardingPanel::onHistoryLoaded);
    connect(m_runner, &OnboardingRunner::runLoaded, this, &OnboardingPanel::onRunLoaded);
    connect(m_runner, &OnboardingRunner::curlReady, this, &OnboardingPanel::onCurlReady);
}

void OnboardingPanel::restoreState()
{
    const AppSettings settings;
    m_calls->setValue(settings.onboardingCalls());
    m_rate->setValue(settings.onboardingRate());
    const QList<QPair<QString, QSplitter *>> splitters = {
        {QStringLiteral("resultsSplitter"), m_resultsSplitter},
        {QStringLiteral("callsSplitter"), m_callsSplitter},
        {QStringLiteral("detailSplitter"), m_detailSplitter},
        {QStringLiteral("historySplitter"), m_historySplitter},
        {QStringLiteral("compareSplitter"), m_compareView->splitter()}};
    for (const auto &[part, splitter] : splitters)
        splitter->restoreState(settings.onboardingViewState(part));
    m_callsView->horizontalHeader()->restoreState(
        settings.onboardingViewState(QStringLiteral("callsHeader")));
    m_checksView->horizontalHeader()->restoreState(
        settings.onboardingViewState(QStringLiteral("checksHeader")));
    updateRunButton();
}

void OnboardingPanel::saveState() const
{
    AppSettings settings;
    settings.setOnboardingCalls(m_calls->value());
    settings.setOnboardingRate(m_rate->value());
    settings.setOnboardingViewState(QStringLiteral("resultsSplitter"),
                                    m_resultsSplitter->saveState());
    settings.setOnboardingViewState(QStringLiteral("callsSplitter"), m_callsSplitter->saveState());
    settings.setOnboardingViewState(QStringLiteral("detailSplitter"),
                                    m_detailSplitter->saveState());
    settings.setOnboardingViewState(QStringLiteral("historySplitter"),
                                    m_historySplitter->saveState());
    settings.setOnboardingViewState(QStringLiteral("compareSplitter"),
                                    m_compareView->splitter()->saveState());
    settings.setOnboardingViewState(QStringLiteral("callsHeader"),
                                    m_callsView->horizontalHeader()->saveState());
    settings.setOnboardingViewState(QStringLiteral("checksHeader"),
                                    m_checksView->horizontalHeader()->saveState());
}

// ---- partner

void OnboardingPanel::setPartner(const std::optional<Partner> &partner)
{
    const bool same = partner && m_partner && partner->id == m_partner->id;
    m_partner = partner;
    updatePartnerHints();
    if (same) {
        updateActions();
        return;
    }
    if (m_live) {
        m_live = false;
        m_runner->cancel();
        Q_EMIT statusMessage(tr("Onboarding run cancelled: another partner was selected"));
    }
    resetResults();
    m_historyModel->clear();
    m_compareView->clear();
    m_tabs->setTabText(kHistoryTab, tr("History"));
    m_openNewest = true;
    if (m_partner)
        reloadHistory();
    updateActions();
}

bool OnboardingPanel::isRunning() const
{
    return m_runner->isRunning();
}

void OnboardingPanel::updatePartnerHints()
{
    if (!m_partner) {
        m_partnerNote->setText(tr("Select a partner to test it."));
        m_tmax->setSpecialValueText(tr("partner's timeout"));
        updateSignalsNote();
        return;
    }
    m_partnerNote->setText(
        tr("%1 (DPID %2, %3) is %4. Test calls go out whatever its mode; their answers are "
           "checked and kept with the run, never applied to visitors.")
            .arg(m_partner->name)
            .arg(m_partner->dpid)
            .arg(m_partner->endpoint, partnerModeName(m_partner->mode)));
    m_tmax->setSpecialValueText(tr("partner's timeout (%1 ms)").arg(m_partner->timeoutMs));
    updateSignalsNote();
}

void OnboardingPanel::updateSignalsNote()
{
    if (!m_partner) {
        m_signalsNote->clear();
        return;
    }
    if (m_partner->style == Partner::Style::GetTemplate) {
        m_signalsNote->setText(tr("A get-template partner receives no signals."));
        return;
    }
    QString error;
    const QList<Signal> signalList = parseSignals(m_signals->toPlainText(), &error);
    if (!error.isEmpty()) {
        m_signalsNote->setText(error);
        return;
    }
    QStringList unsent;
    for (const Signal &signal : signalList) {
        if (signal.key.startsWith(QLatin1String("p_"))
            || !m_partner->forwardedKeys.contains(signal.key))
            unsent.append(signal.key);
    }
    const QString forwarded = m_partner->forwardedKeys.isEmpty()
                                  ? tr("none")
                                  : m_partner->forwardedKeys.join(QStringLiteral(", "));
    m_signalsNote->setText(
        unsent.isEmpty() ? tr("Forwarded keys: %1").arg(forwarded)
                         : tr("Not sent (only forwarded keys are, and p_ keys never): %1")
                               .arg(unsent.join(QStringLiteral(", "))));
}

void OnboardingPanel::updateRunButton()
{
    const int calls = m_calls->value();
    m_runButton->setText(calls == 1 ? tr("Send Call") : tr("Run %1 Calls").arg(calls));
    m_rate->setEnabled(calls > 1 && m_partner.has_value());
}

void OnboardingPanel::updateActions()
{
    const bool hasPartner = m_partner.has_value();
    const bool running = m_runner->isRunning();
    m_runAction->setEnabled(hasPartner && !running);
    m_runButton->setEnabled(m_runAction->isEnabled());
    m_cancelAction->setEnabled(running && m_live);
    m_cancelButton->setEnabled(m_cancelAction->isEnabled());
    for (QWidget *field : std::initializer_list<QWidget *>{m_visitor, m_dpuuid, m_signals, m_calls,
                                                          m_tmax})
        field->setEnabled(hasPartner);
    m_rate->setEnabled(hasPartner && m_calls->value() > 1);
    const bool callSelected = currentCallRow() >= 0;
    m_copyCurlAction->setEnabled(hasPartner && callSelected);
    m_copyRequestAction->setEnabled(callSelected);
    m_copyAnswerAction->setEnabled(callSelected);
    m_copyReportAction->setEnabled(!m_live && !m_shown.checks.isEmpty());
    m_copyChecksAction->setEnabled(m_copyReportAction->isEnabled());
    const QList<int> selected = selectedHistoryRows();
    m_openRunAction->setEnabled(!m_live && selected.size() == 1);
    m_compareAction->setEnabled(selected.size() == 2);
    m_copyHistoryAction->setEnabled(!selected.isEmpty());
    m_reloadHistoryAction->setEnabled(hasPartner);
    m_copyComparisonAction->setEnabled(m_compareView->hasComparison());
}

// ---- running

QList<Signal> OnboardingPanel::parseSignals(const QString &text, QString *error)
{
    QList<Signal> signalList;
    const QStringList lines = text.split(u'\n');
    for (qsizetype number = 0; number < lines.size(); ++number) {
        const QString line = lines.at(number).trimmed();
        if (line.isEmpty() || line.startsWith(u'#'))
            continue;
        const qsizetype equals = line.indexOf(u'=');
        const QString key = equals < 0 ? QString() : line.first(equals).trimmed();
        if (key.isEmpty()) {
            if (error)
                *error = tr("Signals, line %1: \"%2\" is not key=value").arg(number + 1).arg(line);
            return {};
        }
        const QString value = line.sliced(equals + 1).trimmed();
        const auto existing = std::find_if(signalList.begin(), signalList.end(),
                                           [&key](const Signal &signal) {
                                               return signal.key == key;
                                           });
        if (existing != signalList.end())
            existing->values.append(value);
        else
            signalList.append(Signal{key, {value}});
    }
    return signalList;
}

void OnboardingPanel::run()
{
    if (!m_partner)
        return;
    if (m_runner->isRunning()) {
        Q_EMIT statusMessage(tr("A run is in progress: cancel it first (Esc)"));
        return;
    }
    QString error;
    const QList<Signal> signalList = parseSignals(m_signals->toPlainText(), &error);
    if (!error.isEmpty()) {
        Q_EMIT statusMessage(tr("Not run: %1").arg(error));
        m_signals->setFocus();
        return;
    }
    OnboardingConfig config;
    config.calls = m_calls->value();
    config.ratePerSecond = m_rate->value();
    config.uuid = m_visitor->text().trimmed();
    config.dpuuid = m_dpuuid->text().trimmed();
    config.signalList = signalList;
    config.tmaxMs = m_tmax->value();
    if (!m_runner->start(*m_partner, config))
        return;

    m_live = true;
    resetResults();
    m_shown.partnerId = m_partner->id;
    m_shown.partnerName = m_partner->name;
    m_shown.config = config;
    m_progress->setRange(0, config.calls);
    m_progress->setValue(0);
    m_progress->setFormat(tr("%v of %m calls"));
    m_summary->setText(config.calls == 1
                           ? tr("Sending one call to %1…").arg(m_partner->name.toHtmlEscaped())
                           : tr("Running %1 calls at %2/s against %3…")
                                 .arg(config.calls)
                                 .arg(config.ratePerSecond)
                                 .arg(m_partner->name.toHtmlEscaped()));
    m_tabs->setCurrentIndex(kResultsTab);
    updateActions();
    Q_EMIT statusMessage(tr("Onboarding test of %1 started").arg(m_partner->name));
}

void OnboardingPanel::cancel()
{
    if (!m_live || !m_runner->isRunning())
        return;
    m_runner->cancel();
    m_cancelAction->setEnabled(false);
    m_cancelButton->setEnabled(false);
    m_summary->setText(tr("Cancelling: no new calls; waiting for the calls in flight…"));
    Q_EMIT statusMessage(tr("Cancelling the onboarding run: the calls in flight finish first"));
}

void OnboardingPanel::onCallsFinished(const QList<int> &indexes,
                                      const QList<TransferRecord> &records)
{
    if (!m_live)
        return;
    const bool first = m_callsModel->rowCount() == 0;
    m_callsModel->addCalls(indexes, records);
    if (first)
        selectFirstCall();
    else if (const int row = currentCallRow(); row >= 0 && indexes.contains(
                                                             m_callsModel->callIndex(row)))
        showCallDetail();
}

void OnboardingPanel::onRunFinished(const OnboardingReport &report)
{
    const bool shown = m_live && m_partner && report.partnerId == m_partner->id;
    m_live = false;
    const QString verdict = OnboardingHistoryModel::verdict(report);
    Q_EMIT statusMessage(
        report.runId > 0
            ? tr("Onboarding run %1 of %2: %3 (%4)")
                  .arg(report.runId)
                  .arg(report.partnerName, verdict, callsText(report.calls.size()))
            : tr("Onboarding run of %1: %2 (%3); it could not be stored, see the log")
                  .arg(report.partnerName, verdict, callsText(report.calls.size())));
    if (shown) {
        showReport(report, false);
        m_selectRunId = report.runId;
        reloadHistory();
    }
    updateActions();
    Q_EMIT runFinished(report);
}

// ---- showing a report

void OnboardingPanel::resetResults()
{
    m_shown = OnboardingReport();
    m_callsModel->clear();
    m_checksModel->clear();
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setFormat(tr("Not running"));
    m_verdictIcon->clear();
    m_summary->setText(m_partner ? tr("No run shown: compose a test and run it (Ctrl+Return), "
                                      "or open one from the history.")
                                 : QString());
    showCallDetail();
}

void OnboardingPanel::showReport(const OnboardingReport &report, bool fromHistory)
{
    m_shown = report;
    const int previousCall = currentCallRow() >= 0 ? m_callsModel->callIndex(currentCallRow())
                                                   : -1;
    if (fromHistory || m_callsModel->rowCount() != report.calls.size()) {
        m_callsModel->setCalls(report.calls);
        const int row = m_callsModel->rowOfCall(previousCall);
        if (!fromHistory && row >= 0)
            m_callsView->setCurrentIndex(m_callsProxy->mapFromSource(m_callsModel->index(row, 0)));
        else
            selectFirstCall();
    }
    m_checksModel->setChecks(report.checks);
    m_checksView->resizeRowsToContents();
    const int total = qMax(1, fromHistory ? int(report.calls.size()) : report.config.calls);
    m_progress->setRange(0, total);
    m_progress->setValue(int(report.calls.size()));
    m_progress->setFormat(report.cancelled ? tr("Cancelled after %v of %m calls")
                                           : tr("%v of %m calls"));
    showSummary(report, fromHistory);
    showCallDetail();
}

void OnboardingPanel::showSummary(const OnboardingReport &report, bool fromHistory)
{
    m_verdictIcon->setPixmap(OnboardingHistoryModel::verdictIcon(report)
                                 .pixmap(QSize(18, 18)));
    m_verdictIcon->setToolTip(OnboardingHistoryModel::verdict(report));
    m_verdictIcon->setAccessibleName(OnboardingHistoryModel::verdict(report));
    int failed = 0, warned = 0;
    for (const OnboardingCheck &check : report.checks) {
        failed += check.result == OnboardingCheck::Result::Fail;
        warned += check.result == OnboardingCheck::Result::Warn;
    }
    QString text = tr("<b>%1</b>").arg(OnboardingHistoryModel::verdict(report));
    if (failed > 0)
        text += failed == 1 ? tr(": 1 check failed") : tr(": %1 checks failed").arg(failed);
    if (warned > 0)
        text += warned == 1 ? tr(", 1 warning") : tr(", %1 warnings").arg(warned);
    text += tr(" · %1 · p50 %2 ms · p95 %3 ms · p99 %4 ms · error rate %5%")
                .arg(callsText(report.calls.size()))
                .arg(report.p50Ms, 0, 'f', 1)
                .arg(report.p95Ms, 0, 'f', 1)
                .arg(report.p99Ms, 0, 'f', 1)
                .arg(report.errorRate * 100, 0, 'f', 1);
    if (fromHistory)
        text = tr("Run %1 of %2 (from the history): %3")
                   .arg(report.runId)
                   .arg(TransferColumns::formatTime(report.startedMs), text);
    m_summary->setText(text);
}

void OnboardingPanel::selectFirstCall()
{
    if (m_callsProxy->rowCount() == 0)
        return;
    m_callsView->setCurrentIndex(m_callsProxy->index(0, 0));
}

int OnboardingPanel::currentCallRow() const
{
    const QModelIndex current = m_callsView->currentIndex();
    if (!current.isValid())
        return -1;
    return m_callsProxy->mapToSource(current).row();
}

void OnboardingPanel::showCallDetail()
{
    const int row = currentCallRow();
    if (row < 0) {
        m_callTitle->setText(tr("Select a call to see its request, answer and timing."));
        m_requestView->clear();
        m_answerView->clear();
        m_waterfall->clear();
        return;
    }
    const TransferRecord &record = m_callsModel->record(row);
    QString title = tr("Call %1 to visitor %2: %3")
                        .arg(m_callsModel->callIndex(row) + 1)
                        .arg(record.uuid, TransferColumns::outcomeLabel(record.outcome));
    if (!transferOutcomeNotCalled(record.outcome))
        title += tr(" in %1").arg(TransferColumns::formatMs(record.totalUs));
    if (record.httpStatus > 0)
        title += tr(", HTTP %1").arg(record.httpStatus);
    // The reason, unless it only repeats the status.
    if (!record.reason.isEmpty()
        && record.reason != QStringLiteral("status %1").arg(record.httpStatus))
        title += tr(" (%1)").arg(record.reason);
    m_callTitle->setText(title);
    m_requestView->setPlainText(record.requestText.isEmpty()
                                    ? tr("(the request was not recorded)")
                                    : QString::fromUtf8(record.requestText));
    m_answerView->setPlainText(record.responseText.isEmpty()
                                   ? tr("(no answer received)")
                                   : QString::fromUtf8(record.responseText));
    // A test call has no /event: its deadline is its budget, one line says both.
    TransferRecord timing = record;
    if (timing.deadlineMs == timing.budgetMs)
        timing.deadlineMs = 0;
    m_waterfall->setRecord(timing);
}

// ---- history

void OnboardingPanel::reloadHistory()
{
    if (m_partner)
        m_runner->loadHistory(m_partner->id);
}

QList<int> OnboardingPanel::selectedHistoryRows() const
{
    QList<int> rows;
    for (const QModelIndex &index : m_historyView->selectionModel()->selectedRows())
        rows.append(m_historyProxy->mapToSource(index).row());
    std::sort(rows.begin(), rows.end());
    return rows;
}

void OnboardingPanel::onHistoryLoaded(qint64 partnerId, const QList<OnboardingReport> &reports,
                                      const QString &error)
{
    if (!m_partner || partnerId != m_partner->id)
        return;
    QList<qint64> selectedRuns;
    for (int row : selectedHistoryRows())
        selectedRuns.append(m_historyModel->report(row).runId);
    if (m_selectRunId > 0)
        selectedRuns = {m_selectRunId};
    m_selectRunId = 0;
    m_historyModel->setReports(reports);
    const int checkColumns = int(m_historyModel->checkNames().size());
    QHeaderView *header = m_historyView->horizontalHeader();
    for (int column = 0; column < OnboardingHistoryModel::FirstCheck; ++column)
        m_historyView->resizeColumnToContents(column);
    for (int column = 0; column < checkColumns; ++column)
        m_historyView->resizeColumnToContents(OnboardingHistoryModel::FirstCheck + column);
    header->setStretchLastSection(false);
    QItemSelection selection;
    for (qint64 runId : std::as_const(selectedRuns)) {
        const int row = m_historyModel->rowOfRun(runId);
        if (row < 0)
            continue;
        const QModelIndex index = m_historyProxy->mapFromSource(m_historyModel->index(row, 0));
        selection.select(index, index.siblingAtColumn(m_historyProxy->columnCount() - 1));
    }
    m_historyView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect
                                                           | QItemSelectionModel::Rows);
    m_tabs->setTabText(kHistoryTab, tr("History (%1)").arg(reports.size()));
    // A partner just chosen shows its latest run at once.
    if (std::exchange(m_openNewest, false) && !m_live && m_shown.runId == 0
        && !reports.isEmpty()) {
        m_quietLoad = true;
        m_runner->loadRun(reports.first().runId);
    }
    if (!error.isEmpty())
        Q_EMIT statusMessage(tr("The onboarding history could not be read: %1").arg(error));
    updateActions();
    Q_EMIT historyLoaded();
}

void OnboardingPanel::openSelectedRun()
{
    const QList<int> rows = selectedHistoryRows();
    if (m_live || rows.size() != 1)
        return;
    const qint64 runId = m_historyModel->report(rows.first()).runId;
    m_quietLoad = false;
    m_runner->loadRun(runId);
    Q_EMIT statusMessage(tr("Opening onboarding run %1…").arg(runId));
}

void OnboardingPanel::onRunLoaded(qint64 runId, const std::optional<OnboardingReport> &report,
                                  const QString &error)
{
    const bool quiet = std::exchange(m_quietLoad, false);
    if (!report) {
        Q_EMIT statusMessage(tr("Run %1 could not be opened: %2").arg(runId).arg(error));
        return;
    }
    if (m_live || !m_partner || report->partnerId != m_partner->id)
        return;
    showReport(*report, true);
    if (quiet)
        return;
    m_tabs->setCurrentIndex(kResultsTab);
    Q_EMIT statusMessage(tr("Showing onboarding run %1 (%2)")
                             .arg(runId)
                             .arg(callsText(report->calls.size())));
}

void OnboardingPanel::compareSelectedRuns()
{
    const QList<int> rows = selectedHistoryRows();
    if (rows.size() != 2)
        return;
    OnboardingReport before = m_historyModel->report(rows.at(0));
    OnboardingReport after = m_historyModel->report(rows.at(1));
    if (std::tie(before.startedMs, before.runId) > std::tie(after.startedMs, after.runId))
        std::swap(before, after);
    m_compareView->setRuns(before, after);
    m_tabs->setCurrentIndex(kHistoryTab);
    // The comparison was hidden until now: give it room if the list has it all.
    const QList<int> sizes = m_historySplitter->sizes();
    const int total = sizes.value(0) + sizes.value(1);
    if (sizes.value(1) < total / 2)
        m_historySplitter->setSizes({total / 3, total - total / 3});
    updateActions();
    Q_EMIT statusMessage(
        tr("Compared run %1 with run %2: %3")
            .arg(before.runId)
            .arg(after.runId)
            .arg(answersChangedText(m_compareView->comparison().changedAnswers.size())));
}

// ---- copying

void OnboardingPanel::copyText(const QString &text, const QString &message)
{
    QApplication::clipboard()->setText(text);
    Q_EMIT statusMessage(message);
}

void OnboardingPanel::copyCurl()
{
    const int row = currentCallRow();
    if (!m_partner || row < 0) {
        Q_EMIT statusMessage(tr("Select a call to copy it as curl"));
        return;
    }
    m_curlCall = m_callsModel->callIndex(row);
    m_runner->buildCurl(*m_partner, m_shown.config, m_callsModel->record(row),
                        m_revealAction->isChecked());
}

void OnboardingPanel::onCurlReady(const QString &command, bool revealed, bool sameAsSent,
                                  const QString &problem)
{
    if (command.isEmpty()) {
        Q_EMIT statusMessage(tr("No curl command for call %1: %2").arg(m_curlCall + 1)
                                 .arg(problem));
        return;
    }
    QString message;
    if (!command.contains(QLatin1String("X-DCS-Signature")))
        message = tr("Copied call %1 as curl, unsigned: the partner has no secret")
                      .arg(m_curlCall + 1);
    else if (revealed)
        message = tr("Copied call %1 as curl with its real signature").arg(m_curlCall + 1);
    else
        message = tr("Copied call %1 as curl (signature masked)").arg(m_curlCall + 1);
    if (!sameAsSent)
        message += tr("; the partner changed since this call, so the command uses its "
                      "current settings");
    copyText(command, message);
}

QString OnboardingPanel::reportText(const OnboardingReport &report) const
{
    // The same lines as --test-partner prints.
    QString text = tr("Calls:") + u'\n' + compactCallHeader() + u'\n';
    for (qsizetype i = 0; i < report.calls.size(); ++i)
        text += compactCallLine(int(i) + 1, report.calls.at(i)) + u'\n';
    return text + report.toText();
}

void OnboardingPanel::copyReport()
{
    if (m_shown.checks.isEmpty()) {
        Q_EMIT statusMessage(tr("No finished run to copy"));
        return;
    }
    copyText(reportText(m_shown),
             tr("Copied the report of the run (%1)").arg(callsText(m_shown.calls.size())));
}

void OnboardingPanel::callContextMenu(const QPoint &position)
{
    QMenu menu(this);
    menu.addAction(m_copyCurlAction);
    menu.addAction(m_revealAction);
    menu.addSeparator();
    menu.addAction(m_copyRequestAction);
    menu.addAction(m_copyAnswerAction);
    menu.addSeparator();
    menu.addAction(m_copyReportAction);
    menu.exec(m_callsView->viewport()->mapToGlobal(position));
}

} // namespace Dcs
