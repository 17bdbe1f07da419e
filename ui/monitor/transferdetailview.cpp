#include "transferdetailview.h"

#include "common/appsettings.h"
#include "dcs/dcsserver.h"
#include "monitor/monitorfeed.h"
#include "storage/storage.h"
#include "storage/transferlog.h"
#include "transfer/transferengine.h"
#include "transfercolumns.h"
#include "transfercurl.h"
#include "transferlistmodel.h"
#include "waterfallwidget.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonDocument>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QTabWidget>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>

namespace Dcs {

namespace {

constexpr int kMaxEventAttempts = 500; // far more partners than any workspace registers

QString orDash(const QString &text)
{
    return text.isEmpty() ? QStringLiteral("—") : text;
}

QLabel *valueLabel()
{
    auto *label = new QLabel;
    label->setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    return label;
}

QString eventKeyOf(const TransferRecord &record)
{
    if (record.eventId != 0)
        return QStringLiteral("e:%1").arg(record.eventId);
    if (record.testRunId != 0 || record.tid.isEmpty())
        return {}; // an onboarding test call belongs to no /event
    return QStringLiteral("t:") + record.tid;
}

// Lanes in a stable order: by partner, then DPID.
bool laneBefore(const TransferRecord &a, const TransferRecord &b)
{
    if (const int byName = a.partnerName.compare(b.partnerName, Qt::CaseInsensitive))
        return byName < 0;
    if (a.dpid != b.dpid)
        return a.dpid < b.dpid;
    return a.sequence < b.sequence;
}

} // namespace

TransferDetailView::TransferDetailView(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("transferDetail"));
    m_pool.setMaxThreadCount(1);

    m_icon = new QLabel;
    m_icon->setFixedSize(20, 20);
    m_title = new QLabel(tr("No transfer selected"));
    m_title->setObjectName(QStringLiteral("transferDetailTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    m_title->setFont(titleFont);

    m_copyCurl = new QAction(QIcon::fromTheme(QStringLiteral("edit-copy")), tr("Copy as curl"),
                             this);
    m_copyCurl->setObjectName(QStringLiteral("copyCurl"));
    m_copyCurl->setToolTip(tr("Copy this call as a curl command (the signature masked)"));
    connect(m_copyCurl, &QAction::triggered, this, [this] { copyAsCurl(false); });
    m_copyCurlRevealed = new QAction(tr("Copy as curl with Signature"), this);
    m_copyCurlRevealed->setObjectName(QStringLiteral("copyCurlRevealed"));
    m_copyCurlRevealed->setToolTip(
        tr("Copy this call as a curl command with its real signature: the partner's secret is "
           "read to sign it again. Anyone with the command can replay the call."));
    connect(m_copyCurlRevealed, &QAction::triggered, this, [this] { copyAsCurl(true); });
    m_curlButton = new QToolButton;
    m_curlButton->setObjectName(QStringLiteral("curlButton"));
    m_curlButton->setDefaultAction(m_copyCurl);
    m_curlButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_curlButton->setPopupMode(QToolButton::MenuButtonPopup);
    auto *curlMenu = new QMenu(m_curlButton);
    curlMenu->addAction(m_copyCurl);
    curlMenu->addAction(m_copyCurlRevealed);
    m_curlButton->setMenu(curlMenu);

    auto *header = new QHBoxLayout;
    header->addWidget(m_icon);
    header->addWidget(m_title, 1);
    header->addWidget(m_curlButton);

    m_tabs = new QTabWidget;
    m_tabs->setObjectName(QStringLiteral("transferDetailTabs"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(createSummaryTab(), tr("Summary"));
    m_tabs->addTab(createWaterfallTab(), tr("Waterfall"));
    m_tabs->addTab(createTextTab(m_request, m_requestNote, QStringLiteral("request")),
                   tr("Request"));
    m_tabs->addTab(createTextTab(m_answer, m_answerNote, QStringLiteral("answer")),
                   tr("Answer"));
    m_tabs->addTab(createEventTab(), tr("This /event"));
    m_tabs->setTabToolTip(SummaryTab, tr("What happened to the call"));
    m_tabs->setTabToolTip(WaterfallTab,
                          tr("Where the call's time went, against its budget and the deadline"));
    m_tabs->setTabToolTip(RequestTab, tr("The request as sent (the signature masked)"));
    m_tabs->setTabToolTip(AnswerTab, tr("The partner's answer as received"));
    m_tabs->setTabToolTip(EventTab, tr("Every partner call of the same /event, side by side"));
    m_tabs->setCurrentIndex(std::clamp(AppSettings().transferDetailTab(), 0,
                                       m_tabs->count() - 1));
    connect(m_tabs, &QTabWidget::currentChanged, this,
            [](int tab) { AppSettings().setTransferDetailTab(tab); });

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(header);
    layout->addWidget(m_tabs, 1);
    clear();
}

TransferDetailView::~TransferDetailView()
{
    ++m_generation;
    m_pool.waitForDone();
}

QWidget *TransferDetailView::createSummaryTab()
{
    auto *content = new QWidget;
    m_summaryForm = new QFormLayout(content);
    m_summaryForm->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_summaryForm->setLabelAlignment(Qt::AlignRight | Qt::AlignTop);
    for (const QString &label :
         {tr("Outcome"), tr("Reason"), tr("Partner"), tr("tid"), tr("Visitor"), tr("Event"),
          tr("Started"), tr("Budget"), tr("Latency"), tr("HTTP status"), tr("Codes"),
          tr("Unmapped codes"), tr("Unsegments"), tr("TTL"), tr("Late answer")})
        addSummaryRow(label);
    auto *scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("summary"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setWidget(content);
    return scroll;
}

void TransferDetailView::addSummaryRow(const QString &label)
{
    QLabel *value = valueLabel();
    m_summaryForm->addRow(tr("%1:").arg(label), value);
    m_summaryRows.append({label, value});
}

void TransferDetailView::setSummary(const QString &label, const QString &value)
{
    for (const auto &[name, field] : std::as_const(m_summaryRows)) {
        if (name == label) {
            field->setText(orDash(value));
            return;
        }
    }
}

QString TransferDetailView::summaryValue(const QString &label) const
{
    for (const auto &[name, field] : m_summaryRows) {
        if (name == label)
            return field->text();
    }
    return {};
}

QWidget *TransferDetailView::createWaterfallTab()
{
    auto *page = new QWidget;
    m_waterfall = new WaterfallWidget;
    m_waterfallNote = new QLabel;
    m_waterfallNote->setObjectName(QStringLiteral("waterfallNote"));
    m_waterfallNote->setWordWrap(true);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_waterfall);
    layout->addWidget(m_waterfallNote);
    layout->addStretch(1);
    return page;
}

QWidget *TransferDetailView::createTextTab(QPlainTextEdit *&edit, QLabel *&note,
                                           const QString &name)
{
    auto *page = new QWidget;
    edit = new QPlainTextEdit;
    edit->setObjectName(name + QStringLiteral("Text"));
    edit->setReadOnly(true);
    edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    edit->setAccessibleName(name == QLatin1StringView("request") ? tr("Request text")
                                                                 : tr("Answer text"));
    note = new QLabel;
    note->setObjectName(name + QStringLiteral("Note"));
    note->setWordWrap(true);
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(note);
    layout->addWidget(edit, 1);
    layout->addStretch(0); // keeps the note at the top while there is no text
    return page;
}

QWidget *TransferDetailView::createEventTab()
{
    auto *page = new QWidget;
    m_eventTitle = new QLabel;
    m_eventTitle->setObjectName(QStringLiteral("eventTitle"));
    m_eventTitle->setWordWrap(true);
    m_eventTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_eventWaterfall = new WaterfallWidget;
    m_eventWaterfall->setObjectName(QStringLiteral("eventWaterfall"));
    m_eventWaterfall->setAccessibleName(tr("Timing of every partner call of this /event"));
    m_eventModel = new TransferListModel(this);
    m_eventTable = new QTableView;
    m_eventTable->setObjectName(QStringLiteral("eventAttempts"));
    m_eventTable->setAccessibleName(tr("Partner calls of this /event"));
    m_eventTable->setToolTip(tr("Click a call to show it"));
    m_eventTable->setModel(m_eventModel);
    m_eventTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_eventTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_eventTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_eventTable->verticalHeader()->hide();
    m_eventTable->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_eventTable->verticalHeader()->setDefaultSectionSize(m_eventTable->fontMetrics().height()
                                                          + 6);
    m_eventTable->horizontalHeader()->setStretchLastSection(true);
    m_eventTable->setWordWrap(false);
    // The /event's tid, visitor and time are the same on every row: shown in the title.
    for (int column : {TransferColumns::Time, TransferColumns::Tid, TransferColumns::Visitor})
        m_eventTable->setColumnHidden(column, true);
    connect(m_eventTable, &QTableView::clicked, this,
            [this](const QModelIndex &index) { eventRowActivated(index.row()); });
    connect(m_eventTable, &QTableView::activated, this,
            [this](const QModelIndex &index) { eventRowActivated(index.row()); });
    auto *layout = new QVBoxLayout(page);
    layout->addWidget(m_eventTitle);
    layout->addWidget(m_eventWaterfall);
    layout->addWidget(m_eventTable, 1);
    return page;
}

void TransferDetailView::setServer(DcsServer *server)
{
    m_server = server;
}

void TransferDetailView::clear()
{
    ++m_generation;
    m_lookingUp = false;
    m_hasRecord = false;
    m_record = {};
    m_eventAttempts.clear();
    m_eventKey.clear();
    m_icon->clear();
    m_title->setText(tr("No transfer selected"));
    m_copyCurl->setEnabled(false);
    m_copyCurlRevealed->setEnabled(false);
    for (const auto &[name, field] : std::as_const(m_summaryRows))
        field->clear();
    m_waterfall->clear();
    m_waterfallNote->setText(tr("Select a transfer to see where its time went."));
    m_request->clear();
    m_answer->clear();
    m_requestNote->setText(tr("Select a transfer to see its request."));
    m_answerNote->setText(tr("Select a transfer to see its answer."));
    m_eventTitle->clear();
    m_eventWaterfall->clear();
    m_eventModel->setRecords({});
}

void TransferDetailView::setRecord(const TransferRecord &record)
{
    m_record = record;
    m_hasRecord = true;
    m_icon->setPixmap(TransferColumns::outcomeIcon(record.outcome).pixmap(20, 20));
    m_icon->setToolTip(TransferColumns::outcomeLabel(record.outcome));
    m_title->setText(tr("%1 · %2 · %3")
                         .arg(TransferColumns::outcomeLabel(record.outcome),
                              TransferColumns::data(record, TransferColumns::Partner,
                                                    Qt::DisplayRole)
                                  .toString(),
                              TransferColumns::formatTime(record.startMs)));
    const bool called = !transferOutcomeNotCalled(record.outcome);
    m_copyCurl->setEnabled(called && m_server);
    m_copyCurlRevealed->setEnabled(called && m_server);
    const QString curlWhy = !called ? tr("No request was sent for this call")
                            : !m_server ? tr("Partners are not available here")
                                        : QString();
    m_curlButton->setToolTip(curlWhy.isEmpty() ? m_copyCurl->toolTip() : curlWhy);

    showSummary();
    m_waterfall->setRecord(record);
    if (!called) {
        m_waterfallNote->setText(tr("Not called, so no timings: %1")
                                     .arg(TransferColumns::outcomeDescription(record.outcome)));
    } else {
        m_waterfallNote->setText(
            tr("%1 in all; the partner was given %2 ms (X-DCS-Tmax) of the /event's %3 ms "
               "deadline.")
                .arg(TransferColumns::formatMs(record.totalUs))
                .arg(record.budgetMs)
                .arg(record.deadlineMs));
    }
    showTexts();

    const QString key = eventKeyOf(record);
    if (!key.isEmpty() && key == m_eventKey) {
        // Another attempt of the /event already shown: only the highlight moves.
        for (TransferRecord &attempt : m_eventAttempts) {
            if (attempt.partnerId == record.partnerId && record.sequence > 0)
                attempt.sequence = record.sequence;
        }
        showEventAttempts();
        return;
    }
    m_eventKey = key;
    lookUpEvent();
}

void TransferDetailView::showSummary()
{
    const TransferRecord &r = m_record;
    setSummary(tr("Outcome"), tr("%1 (%2)").arg(TransferColumns::outcomeLabel(r.outcome),
                                                TransferColumns::outcomeDescription(r.outcome)));
    setSummary(tr("Reason"), r.reason);
    setSummary(tr("Partner"),
               tr("%1, DPID %2%3")
                   .arg(r.partnerName.isEmpty() ? tr("(removed partner)") : r.partnerName)
                   .arg(r.dpid)
                   .arg(r.shadow ? tr(", shadow: answers validated, never applied") : QString()));
    setSummary(tr("tid"), r.tid);
    setSummary(tr("Visitor"), r.uuid);
    if (r.testRunId != 0)
        setSummary(tr("Event"), tr("Onboarding test run %1").arg(r.testRunId));
    else
        setSummary(tr("Event"), r.eventId != 0 ? QString::number(r.eventId) : QString());
    setSummary(tr("Started"), QDateTime::fromMSecsSinceEpoch(r.startMs)
                                  .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")));
    const bool called = !transferOutcomeNotCalled(r.outcome);
    setSummary(tr("Budget"),
               called ? tr("%1 ms of the %2 ms deadline").arg(r.budgetMs).arg(r.deadlineMs)
                      : tr("not called (deadline %1 ms)").arg(r.deadlineMs));
    setSummary(tr("Latency"), called ? TransferColumns::formatMs(r.totalUs) : QString());
    setSummary(tr("HTTP status"), r.httpStatus > 0 ? QString::number(r.httpStatus) : QString());
    QStringList mapped;
    for (const QString &code : r.codes) {
        if (!r.unmappedCodes.contains(code))
            mapped.append(code);
    }
    QString codes;
    if (!r.codes.isEmpty() && mapped.isEmpty())
        codes = tr("%1 received, none mapped to an onboarded trait").arg(r.codes.size());
    else if (!r.codes.isEmpty())
        codes = tr("%1 received; mapped: %2")
                    .arg(r.codes.size())
                    .arg(mapped.join(QStringLiteral(", ")));
    setSummary(tr("Codes"), codes);
    setSummary(tr("Unmapped codes"),
               r.unmappedCodes.isEmpty()
                   ? QString()
                   : tr("%1 (stored for the visitor; no onboarded trait yet)")
                         .arg(r.unmappedCodes.join(QStringLiteral(", "))));
    setSummary(tr("Unsegments"), r.unsegments.join(QStringLiteral(", ")));
    QString ttl;
    if (r.ttlDays)
        ttl = *r.ttlDays == 1 ? tr("1 day") : tr("%1 days").arg(*r.ttlDays);
    else if (!r.codes.isEmpty())
        ttl = tr("the traits' own");
    setSummary(tr("TTL"), ttl);
    setSummary(tr("Late answer"),
               r.outcome != TransferOutcome::Late
                   ? QString()
                   : (r.lateApplied ? tr("applied after the visitor's answer (from the next "
                                         "call)")
                                    : tr("not applied")));
}

QString TransferDetailView::notKeptNote() const
{
    int every = TransferSettings{}.textSampleEvery;
    if (m_server && m_server->transferEngine())
        every = m_server->transferEngine()->settings().textSampleEvery;
    if (every <= 0)
        return tr("Not kept: keeping request and answer texts is turned off.");
    return tr("Not kept for this call: the request and answer are kept for 1 in %1 successful "
              "calls and for every other outcome.")
        .arg(QLocale().toString(every));
}

void TransferDetailView::showTexts()
{
    const TransferRecord &r = m_record;
    const bool called = !transferOutcomeNotCalled(r.outcome);
    const bool kept = !r.requestText.isEmpty() || !r.responseText.isEmpty();
    m_request->setPlainText(prettyHttpText(r.requestText));
    m_answer->setPlainText(prettyHttpText(r.responseText));
    if (!called) {
        const QString note = tr("No request was sent: %1")
                                 .arg(TransferColumns::outcomeDescription(r.outcome));
        m_requestNote->setText(note);
        m_answerNote->setText(note);
    } else if (!kept) {
        m_requestNote->setText(notKeptNote());
        m_answerNote->setText(notKeptNote());
    } else {
        m_requestNote->setText(
            tr("As sent, with the signature masked (kept up to a bounded size)."));
        m_answerNote->setText(r.responseText.isEmpty()
                                  ? tr("No answer was received: %1")
                                        .arg(orDash(r.reason.isEmpty()
                                                        ? TransferColumns::outcomeDescription(
                                                              r.outcome)
                                                        : r.reason))
                                  : tr("As received (kept up to a bounded size)."));
    }
    m_request->setVisible(!m_request->document()->isEmpty());
    m_answer->setVisible(!m_answer->document()->isEmpty());
}

void TransferDetailView::lookUpEvent()
{
    const quint64 generation = ++m_generation;
    m_eventAttempts.clear();
    // What the feed still holds, at once (a scan of the ring: fine for a click).
    if (m_server && !m_record.tid.isEmpty() && !m_eventKey.isEmpty()) {
        const TransferFeed &feed = m_server->monitorFeed().transfers();
        for (const TransferRecord &attempt : feed.byTid(m_record.tid)) {
            if (m_record.eventId == 0 || attempt.eventId == m_record.eventId)
                m_eventAttempts.append(attempt);
        }
    }
    const bool listed = std::any_of(
        m_eventAttempts.cbegin(), m_eventAttempts.cend(), [this](const TransferRecord &attempt) {
            return attempt.partnerId == m_record.partnerId;
        });
    if (!listed)
        m_eventAttempts.append(m_record);
    showEventAttempts();

    Storage *storage = m_server ? m_server->storage() : nullptr;
    m_lookingUp = storage && !m_eventKey.isEmpty();
    if (!m_lookingUp)
        return;
    // Attempts the feed no longer holds (or never did: the history) are in the transfer log.
    TransferLog::Filter filter;
    if (m_record.eventId != 0)
        filter.eventId = m_record.eventId;
    else
        filter.tid = m_record.tid;
    m_pool.start([this, storage, filter, generation] {
        QString error;
        QList<TransferRecord> logged
            = TransferLog::query(storage->reader(), filter, kMaxEventAttempts, 0, &error);
        storage->releaseReader();
        QMetaObject::invokeMethod(
            this,
            [this, logged = std::move(logged), generation] {
                if (generation != m_generation)
                    return; // another transfer was selected meanwhile
                m_lookingUp = false;
                mergeLoggedAttempts(logged);
            },
            Qt::QueuedConnection);
    });
}

void TransferDetailView::mergeLoggedAttempts(const QList<TransferRecord> &logged)
{
    // One attempt per partner and /event: the feed's copy wins (it has a sequence).
    qint64 synthetic = 0;
    for (TransferRecord attempt : logged) {
        const bool known = std::any_of(m_eventAttempts.cbegin(), m_eventAttempts.cend(),
                                       [&attempt](const TransferRecord &shown) {
                                           return shown.partnerId == attempt.partnerId;
                                       });
        if (known)
            continue;
        attempt.sequence = --synthetic; // tells the lanes apart; feed sequences are positive
        m_eventAttempts.append(attempt);
    }
    showEventAttempts();
    Q_EMIT eventAttemptsChanged();
}

void TransferDetailView::showEventAttempts()
{
    std::sort(m_eventAttempts.begin(), m_eventAttempts.end(), laneBefore);
    qint64 highlight = 0;
    int currentRow = -1;
    for (qsizetype i = 0; i < m_eventAttempts.size(); ++i) {
        TransferRecord &attempt = m_eventAttempts[i];
        if (attempt.partnerId != m_record.partnerId)
            continue;
        if (attempt.sequence == 0)
            attempt.sequence = -1'000'000; // the selected attempt from the log: a lane id
        highlight = attempt.sequence;
        currentRow = int(i);
    }
    m_eventWaterfall->setRecords(m_eventAttempts, highlight);
    m_eventModel->setRecords(m_eventAttempts);
    m_eventTable->resizeColumnsToContents(); // a handful of rows
    if (currentRow >= 0)
        m_eventTable->selectRow(currentRow);
    const QLocale locale;
    QString title = m_record.eventId != 0
                        ? tr("tid %1 · event %2 · visitor %3")
                              .arg(m_record.tid)
                              .arg(m_record.eventId)
                              .arg(m_record.uuid)
                        : tr("tid %1 · visitor %2").arg(m_record.tid, m_record.uuid);
    title += u'\n';
    title += m_eventAttempts.size() == 1
                 ? tr("1 partner call")
                 : tr("%1 partner calls").arg(m_eventAttempts.size());
    if (m_eventKey.isEmpty())
        title += tr(" (an onboarding test: no /event)");
    else if (m_lookingUp)
        title += tr(" (looking in the transfer log…)");
    m_eventTitle->setText(title);
}

void TransferDetailView::eventRowActivated(int row)
{
    if (row < 0 || row >= m_eventAttempts.size())
        return;
    TransferRecord attempt = m_eventAttempts.at(row);
    if (attempt.partnerId == m_record.partnerId)
        return;
    if (attempt.sequence < 0)
        attempt.sequence = 0; // from the log: no feed sequence
    setRecord(attempt);
    Q_EMIT attemptActivated(attempt);
}

void TransferDetailView::copyAsCurl(bool revealSignature)
{
    if (!m_hasRecord || !m_server)
        return;
    TransferCurl::copyToClipboard(*m_server, m_record, revealSignature, this,
                                  [this](const QString &message) {
                                      Q_EMIT statusMessage(message);
                                  });
}

QString TransferDetailView::indentJson(QByteArrayView json)
{
    const QString text = QString::fromUtf8(json);
    QString out;
    out.reserve(text.size() * 2);
    int depth = 0;
    bool inString = false;
    bool escaped = false;
    const auto newline = [&out, &depth] {
        out += u'\n';
        out += QString(depth * 2, u' ');
    };
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (inString) {
            out += c;
            if (escaped)
                escaped = false;
            else if (c == u'\\')
                escaped = true;
            else if (c == u'"')
                inString = false;
            continue;
        }
        switch (c.unicode()) {
        case u'"':
            inString = true;
            out += c;
            break;
        case u'{':
        case u'[': {
            out += c;
            qsizetype next = i + 1;
            while (next < text.size() && text.at(next).isSpace())
                ++next;
            const QChar close = c == u'{' ? u'}' : u']';
            if (next < text.size() && text.at(next) == close) { // {} and [] stay on one line
                out += close;
                i = next;
                break;
            }
            ++depth;
            newline();
            break;
        }
        case u'}':
        case u']':
            --depth;
            newline();
            out += c;
            break;
        case u',':
            out += c;
            newline();
            break;
        case u':':
            out += QStringLiteral(": ");
            break;
        case u' ':
        case u'\t':
        case u'\n':
        case u'\r':
            break;
        default:
            out += c;
        }
    }
    return out;
}

QString TransferDetailView::prettyHttpText(const QByteArray &text)
{
    if (text.isEmpty())
        return {};
    const qsizetype headEnd = text.indexOf("\r\n\r\n");
    if (headEnd < 0) // cut inside the head
        return QString::fromUtf8(text).replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    QString result = QString::fromUtf8(text.first(headEnd));
    result.replace(QStringLiteral("\r\n"), QStringLiteral("\n"));
    const QByteArray body = text.sliced(headEnd + 4);
    if (body.isEmpty())
        return result;
    result += QStringLiteral("\n\n");
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error == QJsonParseError::NoError && !document.isNull())
        result += indentJson(body);
    else
        result += QString::fromUtf8(body);
    return result;
}

} // namespace Dcs
