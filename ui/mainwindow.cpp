#include "mainwindow.h"

#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "storage/partnerrepository.h"
#include "storage/segmentrepository.h"
#include "partners/partnerspage.h"
#include "monitor/livechartsview.h"
#include "monitor/partnerhealthstrip.h"
#include "partners/onboardingpanel.h"
#include "reports/reportspage.h"
#include "visitors/visitorspage.h"
#include "segments/segmentspage.h"
#include "workspace/batchimportdialog.h"
#include "workspace/replaydialog.h"
#include "monitor/historypage.h"
#include "monitor/monitorpage.h"
#include "monitor/transferdetailview.h"
#include "monitor/transferfilter.h"
#include "storage/storage.h"
#include "storage/traitrepository.h"
#include "traits/traitspage.h"
#include "views/democontrols.h"
#include "views/settingspage.h"
#include "views/workspacepage.h"

#include <QAction>
#include <QApplication>
#include <QFileDialog>
#include <QCloseEvent>
#include <QLabel>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QTimer>
#include <QScrollArea>
#include <QVBoxLayout>

namespace Dcs {

namespace {
constexpr int kPageIdRole = Qt::UserRole + 1;
constexpr int kStatusMessageMs = 8000;
} // namespace

MainWindow::MainWindow(DcsServer &server, QWidget *parent)
    : QMainWindow(parent)
    , m_server(server)
{
    setObjectName(QStringLiteral("MainWindow"));
    setWindowTitle(tr("DCS Studio"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/dcs-studio.svg")));

    m_navigation = new QListWidget;
    m_navigation->setObjectName(QStringLiteral("navigation"));
    m_navigation->setAccessibleName(tr("Pages"));
    m_navigation->setIconSize(QSize(22, 22));
    m_navigation->setMinimumWidth(150);
    m_pages = new QStackedWidget;
    m_splitter = new QSplitter;
    m_splitter->setObjectName(QStringLiteral("mainSplitter"));
    m_splitter->addWidget(m_navigation);
    m_splitter->addWidget(m_pages);
    m_splitter->setStretchFactor(1, 1);
    m_splitter->setSizes({180, 820});
    auto *central = new QWidget;
    auto *centralLayout = new QVBoxLayout(central);
    centralLayout->setContentsMargins(0, 0, 0, 0);
    centralLayout->setSpacing(0);
    centralLayout->addWidget(m_splitter, 1);
    setCentralWidget(central);
    connect(m_navigation, &QListWidget::currentRowChanged, m_pages,
            &QStackedWidget::setCurrentIndex);

    m_listenerLabel = new QLabel;
    m_listenerLabel->setObjectName(QStringLiteral("listenerStatus"));
    statusBar()->addPermanentWidget(m_listenerLabel);
    connect(&m_server.listener(), &DcsListener::stateChanged, this,
            &MainWindow::updateListenerStatus);

    createMenus();
    restoreSettings();

    // The operators' main window comes first: partner health, live charts, then the transfers.
    m_monitorPage = new MonitorPage(m_server);
    connect(m_monitorPage, &MonitorPage::statusMessage, this, &MainWindow::showStatusMessage);
    auto *health = new PartnerHealthStrip(m_server.monitorFeed(), *m_server.transferEngine());
    connect(health, &PartnerHealthStrip::statusMessage, this, &MainWindow::showStatusMessage);
    // "Show transfers" on a partner narrows the table to it.
    connect(health, &PartnerHealthStrip::partnerActivated, this, [this](qint64 dpid) {
        TransferFilter filter = m_monitorPage->filterBar()->filter();
        filter.dpid = dpid;
        m_monitorPage->filterBar()->setFilter(filter);
    });
    m_monitorPage->setHealthStrip(health);
    // In a scroll area, so that the charts' own minimum height never sets the window's: the
    // window must still fit a laptop screen with the strip, the charts and the table stacked.
    auto *chartsArea = new QScrollArea;
    chartsArea->setObjectName(QStringLiteral("chartsArea"));
    chartsArea->setWidgetResizable(true);
    chartsArea->setFrameShape(QFrame::NoFrame);
    chartsArea->setWidget(new LiveChartsView(m_server.monitorFeed()));
    m_monitorPage->setCharts(chartsArea);
    // First run: the strip as high as a few partners, the charts' first row, the table the rest
    // (the page restores the user's own split over these).
    m_monitorPage->splitter()->setSizes({130, 260, 420});
    addPage(QStringLiteral("monitor"), tr("Monitor"),
            style()->standardIcon(QStyle::SP_ComputerIcon), m_monitorPage);
    // Its actions, with their shortcuts, in a menu of their own; choosing one shows the page.
    auto *monitorMenu = new QMenu(tr("&Monitor"), this);
    monitorMenu->setObjectName(QStringLiteral("monitorMenu"));
    monitorMenu->addActions({m_monitorPage->pauseAction(), m_monitorPage->followAction(),
                             m_monitorPage->tailAction(), m_monitorPage->clearAction()});
    monitorMenu->addSeparator();
    monitorMenu->addActions({m_monitorPage->copyAction(), m_monitorPage->findAction()});
    menuBar()->insertMenu(menuBar()->findChild<QMenu *>(QStringLiteral("helpMenu"))->menuAction(),
                          monitorMenu);
    connect(monitorMenu, &QMenu::triggered, this,
            [this] { setCurrentPage(QStringLiteral("monitor")); });

    // The stored transfer log, with the same detail pane as the live table.
    m_historyPage = new HistoryPage(*m_server.storage());
    connect(m_historyPage, &HistoryPage::statusMessage, this, &MainWindow::showStatusMessage);
    auto *historyDetail = new TransferDetailView;
    historyDetail->setObjectName(QStringLiteral("historyDetail"));
    historyDetail->setServer(&m_server);
    connect(historyDetail, &TransferDetailView::statusMessage, this,
            &MainWindow::showStatusMessage);
    connect(m_historyPage, &HistoryPage::currentTransferChanged, historyDetail,
            &TransferDetailView::setRecord);
    m_historySplitter = new QSplitter(Qt::Vertical);
    m_historySplitter->setObjectName(QStringLiteral("historySplitter"));
    m_historySplitter->addWidget(m_historyPage);
    m_historySplitter->addWidget(historyDetail);
    m_historySplitter->setStretchFactor(0, 3);
    m_historySplitter->setStretchFactor(1, 2);
    m_historySplitter->restoreState(AppSettings().historySplitterState());
    addPage(QStringLiteral("history"), tr("History"),
            style()->standardIcon(QStyle::SP_FileDialogContentsView), m_historySplitter);

    // Traits (issue 7): folders, the trait list and the editor with its live preview.
    auto *traitsPage = new TraitsPage(m_server);
    connect(traitsPage, &TraitsPage::statusMessage, this, &MainWindow::showStatusMessage);
    addPage(QStringLiteral("traits"), tr("Traits"),
            style()->standardIcon(QStyle::SP_FileDialogListView), traitsPage);
    menuBar()->insertMenu(menuBar()->findChild<QMenu *>(QStringLiteral("helpMenu"))->menuAction(),
                          traitsPage->menu());
    connect(traitsPage->menu(), &QMenu::triggered, this,
            [this] { setCurrentPage(QStringLiteral("traits")); });

    m_segmentsPage = new SegmentsPage(m_server);
    connect(m_segmentsPage, &SegmentsPage::statusMessage, this, &MainWindow::showStatusMessage);
    addPage(QStringLiteral("segments"), tr("Segments"),
            style()->standardIcon(QStyle::SP_DirLinkIcon), m_segmentsPage);
    // A trait saved, moved or deleted changes the segment editor's trait tree and catalog.
    connect(traitsPage, &TraitsPage::traitsChanged, m_segmentsPage, &SegmentsPage::reload);
    menuBar()->insertMenu(menuBar()->findChild<QMenu *>(QStringLiteral("helpMenu"))->menuAction(),
                          m_segmentsPage->menu());
    connect(m_segmentsPage->menu(), &QMenu::triggered, this,
            [this] { setCurrentPage(QStringLiteral("segments")); });

    // One visitor explained (issue 7), reached from any transfer with "Explain Visitor"; its
    // partner calls open in the History page.
    m_visitorsPage = new VisitorsPage(m_server);
    connect(m_visitorsPage, &VisitorsPage::statusMessage, this, &MainWindow::showStatusMessage);
    const auto explainVisitor = [this](const QString &uuid) {
        m_visitorsPage->lookUp(uuid); // first: showing the page then refreshes nothing
        setCurrentPage(QStringLiteral("visitors"));
    };
    connect(m_monitorPage, &MonitorPage::visitorRequested, this, explainVisitor);
    connect(m_historyPage, &HistoryPage::visitorRequested, this, explainVisitor);
    connect(m_visitorsPage, &VisitorsPage::historyRequested, this, [this](const QString &tid) {
        setCurrentPage(QStringLiteral("history"));
        m_historyPage->showTid(tid);
    });
    addPage(QStringLiteral("visitors"), tr("Visitors"),
            style()->standardIcon(QStyle::SP_FileDialogInfoView), m_visitorsPage);
    m_reportsPage = new ReportsPage(m_server);
    connect(m_reportsPage, &ReportsPage::statusMessage, this, &MainWindow::showStatusMessage);
    addPage(QStringLiteral("reports"), tr("Reports"),
            style()->standardIcon(QStyle::SP_FileDialogDetailedView), m_reportsPage);

    m_partnersPage = new PartnersPage(m_server);
    // The onboarding test of the selected partner, as the page's last tab.
    m_onboardingPanel = new OnboardingPanel(m_server);
    m_partnersPage->addPartnerTab(m_onboardingPanel, tr("Onboarding"));
    connect(m_partnersPage, &PartnersPage::currentPartnerChanged, m_onboardingPanel,
            &OnboardingPanel::setPartner);
    m_onboardingPanel->setPartner(m_partnersPage->currentPartner());
    connect(m_onboardingPanel, &OnboardingPanel::runFinished, m_partnersPage,
            &PartnersPage::loadLastTest);
    connect(m_onboardingPanel, &OnboardingPanel::statusMessage, this,
            &MainWindow::showStatusMessage);
    connect(m_partnersPage, &PartnersPage::statusMessage, this, [this](const QString &message) {
        statusBar()->showMessage(message, kStatusMessageMs);
    });
    addPage(QStringLiteral("partners"), tr("Partners"),
            style()->standardIcon(QStyle::SP_DriveNetIcon), m_partnersPage);
    // Its menu lists its actions and shortcuts; choosing one brings the page up.
    menuBar()->insertMenu(menuBar()->findChild<QMenu *>(QStringLiteral("helpMenu"))->menuAction(),
                          m_partnersPage->menu());
    connect(m_partnersPage->menu(), &QMenu::triggered, this,
            [this] { setCurrentPage(QStringLiteral("partners")); });

    m_workspacePage = new WorkspacePage(*m_server.storage());
    connect(m_workspacePage, &WorkspacePage::statusMessage, this,
            [this](const QString &message) { statusBar()->showMessage(message, kStatusMessageMs); });
    // An import changes traits and segments: the next call must use them.
    connect(m_workspacePage, &WorkspacePage::operationFinished, this,
            [this] { m_server.reloadWorkspace(); });
    addPage(QStringLiteral("workspace"), tr("Workspace"),
            style()->standardIcon(QStyle::SP_DirHomeIcon), m_workspacePage);
    // Both pages list the partners: an edit on one, an import on the other.
    connect(m_partnersPage, &PartnersPage::partnersChanged, m_workspacePage,
            &WorkspacePage::reload);
    connect(m_workspacePage, &WorkspacePage::operationFinished, m_partnersPage,
            &PartnersPage::reload);
    connect(m_workspacePage, &WorkspacePage::operationFinished, traitsPage, &TraitsPage::reload);
    connect(m_partnersPage, &PartnersPage::partnersChanged, traitsPage, &TraitsPage::reload);
    connect(m_workspacePage, &WorkspacePage::operationFinished, m_segmentsPage,
            &SegmentsPage::reload);
    connect(m_segmentsPage, &SegmentsPage::segmentSaved, m_workspacePage, &WorkspacePage::reload);

    m_settingsPage = new SettingsPage(m_server);
    connect(m_settingsPage, &SettingsPage::statusMessage, this,
            [this](const QString &message) { statusBar()->showMessage(message, kStatusMessageMs); });
    addPage(QStringLiteral("settings"), tr("Settings"),
            style()->standardIcon(QStyle::SP_FileDialogDetailedView), m_settingsPage);

    QMenu *fileMenu = menuBar()->findChild<QMenu *>(QStringLiteral("fileMenu"));
    const QList<QAction *> fileActions = fileMenu->actions();
    QAction *beforeQuit = fileActions.isEmpty() ? nullptr : fileActions.first();
    fileMenu->insertActions(beforeQuit, {m_workspacePage->importAction(),
                                         m_workspacePage->exportAction(),
                                         m_workspacePage->checkAction()});
    fileMenu->insertSeparator(beforeQuit);
    // The event data operations: an inbound batch file, and the log replayed through the
    // current definitions. Each opens a dialog with progress and Cancel.
    m_importBatchAction = new QAction(tr("Import &Batch File…"), this);
    m_importBatchAction->setObjectName(QStringLiteral("importBatchAction"));
    m_importBatchAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_B));
    m_importBatchAction->setStatusTip(tr("Apply a partner's inbound batch file "
                                         "(ftp_dpm_<DPID>_<time>.sync or .overwrite, or .gz)"));
    connect(m_importBatchAction, &QAction::triggered, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Import Batch File"), QString(),
            tr("Batch files (*.sync *.overwrite *.sync.gz *.overwrite.gz);;All files (*)"));
        if (!path.isEmpty())
            openBatchImport(path);
    });
    m_replayAction = new QAction(tr("&Replay Event Log…"), this);
    m_replayAction->setObjectName(QStringLiteral("replayAction"));
    m_replayAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_Y));
    m_replayAction->setStatusTip(tr("Re-run the stored events through the current definitions "
                                    "to backfill new or edited traits"));
    connect(m_replayAction, &QAction::triggered, this, [this] { openReplay(); });
    fileMenu->insertActions(beforeQuit, {m_importBatchAction, m_replayAction});
    fileMenu->insertSeparator(beforeQuit);
    m_viewMenu->addAction(m_workspacePage->reloadAction());

    // The live rate: polled, never pushed, so a busy listener cannot flood the GUI thread.
    m_lastStats = m_server.eventStats().snapshot();
    m_sinceLastStats.start();
    m_rateTimer = new QTimer(this);
    m_rateTimer->setInterval(1000);
    connect(m_rateTimer, &QTimer::timeout, this, &MainWindow::updateListenerStatus);
    m_rateTimer->start();
    updateListenerStatus();
    offerDemoIfEmpty();
}

MainWindow::~MainWindow() = default;

BatchImportDialog *MainWindow::openBatchImport(const QString &path)
{
    auto *dialog = new BatchImportDialog(m_server, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &BatchImportDialog::statusMessage, this, &MainWindow::showStatusMessage);
    dialog->show();
    dialog->start(path);
    return dialog;
}

ReplayDialog *MainWindow::openReplay(const QList<qint64> &traitSids)
{
    auto *dialog = new ReplayDialog(m_server, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ReplayDialog::statusMessage, this, &MainWindow::showStatusMessage);
    if (!traitSids.isEmpty())
        dialog->selectTraits(traitSids);
    dialog->show();
    return dialog;
}

void MainWindow::createMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    fileMenu->setObjectName(QStringLiteral("fileMenu"));
    QAction *quit = fileMenu->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    quit->setMenuRole(QAction::QuitRole);

    m_viewMenu = menuBar()->addMenu(tr("&View"));
    m_viewMenu->setObjectName(QStringLiteral("viewMenu"));

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    m_startDemoAction = helpMenu->addAction(tr("Start the &Demo"), this,
                                            &MainWindow::demoRequested);
    m_startDemoAction->setObjectName(QStringLiteral("startDemoAction"));
    m_startDemoAction->setToolTip(tr("Import the demo workspace and start its simulated "
                                     "partners and visitors"));
    helpMenu->addSeparator();
    helpMenu->setObjectName(QStringLiteral("helpMenu"));
    QAction *about = helpMenu->addAction(tr("&About DCS Studio"), this, [this] {
        QMessageBox::about(
            this, tr("About DCS Studio"),
            tr("<h3>DCS Studio %1</h3><p>A real-time audience data pipeline you can run and "
               "watch: a Data Collection Server compatible with Adobe Audience Manager's, "
               "real-time data partners, traits and segments.</p><p>Licensed under the GNU "
               "General Public License, version 3 or later.</p>")
                .arg(QApplication::applicationVersion()));
    });
    about->setMenuRole(QAction::AboutRole);
    helpMenu->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

void MainWindow::showStatusMessage(const QString &message)
{
    statusBar()->showMessage(message, kStatusMessageMs);
}

void MainWindow::setDemoEnvironment(DemoEnvironment *demo)
{
    m_demo = demo;
    m_startDemoAction->setEnabled(demo == nullptr);
    delete m_demoOffer;
    m_demoOffer = nullptr;
    delete m_demoControl;
    m_demoControl = nullptr;
    if (demo) {
        m_demoControl = new DemoTrafficControl(*demo);
        statusBar()->insertPermanentWidget(0, m_demoControl);
    }
}

void MainWindow::offerDemoIfEmpty()
{
    if (m_demo || AppSettings().demoOfferDismissed())
        return;
    Storage &storage = *m_server.storage();
    if (!PartnerRepository(storage).all().isEmpty() || !TraitRepository(storage).all().isEmpty()
        || !SegmentRepository(storage).all().isEmpty())
        return;
    m_demoOffer = new DemoOfferBanner;
    static_cast<QVBoxLayout *>(centralWidget()->layout())->insertWidget(0, m_demoOffer);
    connect(m_demoOffer, &DemoOfferBanner::startRequested, this, &MainWindow::demoRequested);
    connect(m_demoOffer, &DemoOfferBanner::dismissed, this, [this](bool forever) {
        if (forever)
            AppSettings().setDemoOfferDismissed(true);
        m_demoOffer->deleteLater();
        m_demoOffer = nullptr;
    });
}

void MainWindow::addPage(const QString &id, const QString &title, const QIcon &icon,
                         QWidget *page)
{
    auto *item = new QListWidgetItem(icon, title);
    item->setData(kPageIdRole, id);
    m_navigation->addItem(item);
    m_pages->addWidget(page);
    const int index = m_navigation->count() - 1;
    QAction *show = m_viewMenu->addAction(icon, title, this,
                                          [this, index] { m_navigation->setCurrentRow(index); });
    if (index < 9)
        show->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + index)));
    if (m_navigation->currentRow() < 0 || id == m_savedPageId)
        m_navigation->setCurrentRow(index);
}

QString MainWindow::currentPageId() const
{
    const QListWidgetItem *item = m_navigation->currentItem();
    return item ? item->data(kPageIdRole).toString() : QString();
}

void MainWindow::setCurrentPage(const QString &id)
{
    for (int row = 0; row < m_navigation->count(); ++row) {
        if (m_navigation->item(row)->data(kPageIdRole).toString() == id) {
            m_navigation->setCurrentRow(row);
            return;
        }
    }
}

void MainWindow::updateListenerStatus()
{
    const DcsListener &listener = m_server.listener();
    const EventStats::Snapshot now = m_server.eventStats().snapshot();
    const EventStats::Snapshot interval = now.since(m_lastStats);
    const double seconds = qMax<qint64>(m_sinceLastStats.restart(), 1) / 1000.0;
    m_lastStats = now;
    if (listener.isListening()) {
        QString text = tr("Listening on %1").arg(m_server.listenAddressText());
        if (interval.events > 0)
            text += tr(" · %1 events/s · p99 %2 ms")
                        .arg(interval.events / seconds, 0, 'f', 1)
                        .arg(interval.quantileUs(0.99) / 1000.0, 0, 'f', 1);
        else
            text += tr(" · idle");
        m_listenerLabel->setText(text);
        m_listenerLabel->setToolTip(tr("The DCS accepts /event calls at http://%1/")
                                        .arg(m_server.listenAddressText()));
    } else {
        const QString why = listener.errorString();
        m_listenerLabel->setText(why.isEmpty() ? tr("Listener stopped")
                                               : tr("Listener stopped: %1").arg(why));
        m_listenerLabel->setToolTip(tr("The DCS is not accepting calls"));
    }
}

void MainWindow::restoreSettings()
{
    const AppSettings settings;
    if (!restoreGeometry(settings.mainWindowGeometry()))
        resize(1100, 700);
    restoreState(settings.mainWindowState());
    m_splitter->restoreState(settings.mainSplitterState());
    m_savedPageId = settings.currentPage();
    setCurrentPage(m_savedPageId);
}

void MainWindow::saveSettings()
{
    AppSettings settings;
    settings.setMainWindowGeometry(saveGeometry());
    settings.setMainWindowState(saveState());
    settings.setMainSplitterState(m_splitter->saveState());
    settings.setCurrentPage(currentPageId());
    settings.setHistorySplitterState(m_historySplitter->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}

} // namespace Dcs
