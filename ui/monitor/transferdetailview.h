#pragma once

#include "transfer/transferrecord.h"

#include <QList>
#include <QThreadPool>
#include <QWidget>

class QAction;
class QFormLayout;
class QLabel;
class QPlainTextEdit;
class QTabWidget;
class QTableView;
class QToolButton;

namespace Dcs {

class DcsServer;
class TransferListModel;
class WaterfallWidget;

// Everything about one partner attempt, for the live monitor and the history: a summary
// (outcome, reason, partner, times, budget against the deadline, codes mapped and unmapped,
// unsegments, ttl), the timing waterfall, the request (signature masked) and the answer
// pretty-printed, and "This /event": every partner call of the same /event side by side, from
// the monitor feed and, for what the feed no longer holds, the transfer log (read off the GUI
// thread). Any attempt can be copied as a curl command.
class TransferDetailView final : public QWidget
{
    Q_OBJECT
public:
    enum Tab { SummaryTab, WaterfallTab, RequestTab, AnswerTab, EventTab };

    explicit TransferDetailView(QWidget *parent = nullptr);
    ~TransferDetailView() override;

    // Where the other attempts of an /event are looked up (the server's monitor feed, then its
    // transfer log), partners for "copy as curl" and the engine's sampling setting. Without
    // it, "This /event" shows the attempt alone and curl is unavailable.
    void setServer(DcsServer *server);

    void setRecord(const TransferRecord &record);
    void clear();
    bool hasRecord() const { return m_hasRecord; }
    const TransferRecord &record() const { return m_record; }
    // The attempts "This /event" shows (feed and log merged), in lane order.
    const QList<TransferRecord> &eventAttempts() const { return m_eventAttempts; }
    bool isLookingUp() const { return m_lookingUp; }

    QTabWidget *tabs() const { return m_tabs; }
    WaterfallWidget *waterfall() const { return m_waterfall; }
    WaterfallWidget *eventWaterfall() const { return m_eventWaterfall; }
    QTableView *eventTable() const { return m_eventTable; }
    QPlainTextEdit *requestEdit() const { return m_request; }
    QPlainTextEdit *answerEdit() const { return m_answer; }
    QLabel *requestNote() const { return m_requestNote; }
    QLabel *answerNote() const { return m_answerNote; }
    QAction *copyCurlAction() const { return m_copyCurl; }
    QAction *copyCurlWithSignatureAction() const { return m_copyCurlRevealed; }
    // The value shown on a summary row, by its label ("Outcome", "Reason", ...): for tests.
    QString summaryValue(const QString &label) const;

    // An HTTP request or answer for reading: the head as it was, a JSON body indented (keys in
    // their order), any other body as it came.
    static QString prettyHttpText(const QByteArray &text);
    // JSON re-indented without reordering or rewriting anything; `json` must be valid.
    static QString indentJson(QByteArrayView json);

public Q_SLOTS:
    // Copies the attempt as a curl command; the signature only with `revealSignature`.
    void copyAsCurl(bool revealSignature = false);

Q_SIGNALS:
    void statusMessage(const QString &message);
    // The user picked another attempt of the same /event in "This /event".
    void attemptActivated(const Dcs::TransferRecord &record);
    // "This /event" changed (a lookup in the transfer log finished).
    void eventAttemptsChanged();

private:
    QWidget *createSummaryTab();
    QWidget *createWaterfallTab();
    QWidget *createTextTab(QPlainTextEdit *&edit, QLabel *&note, const QString &name);
    QWidget *createEventTab();
    void showSummary();
    void showTexts();
    void showEventAttempts();
    void lookUpEvent();
    void mergeLoggedAttempts(const QList<TransferRecord> &logged);
    void eventRowActivated(int row);
    QString notKeptNote() const;
    void addSummaryRow(const QString &label);
    void setSummary(const QString &label, const QString &value);

    DcsServer *m_server = nullptr;
    TransferRecord m_record;
    bool m_hasRecord = false;
    QList<TransferRecord> m_eventAttempts;
    QString m_eventKey; // the /event the attempts belong to ("e:<id>" or "t:<tid>")
    quint64 m_generation = 0;
    bool m_lookingUp = false;
    QThreadPool m_pool; // one thread: transfer log reads

    QLabel *m_icon = nullptr;
    QLabel *m_title = nullptr;
    QToolButton *m_curlButton = nullptr;
    QAction *m_copyCurl = nullptr;
    QAction *m_copyCurlRevealed = nullptr;
    QTabWidget *m_tabs = nullptr;
    QFormLayout *m_summaryForm = nullptr;
    QList<QPair<QString, QLabel *>> m_summaryRows;
    WaterfallWidget *m_waterfall = nullptr;
    QLabel *m_waterfallNote = nullptr;
    QPlainTextEdit *m_request = nullptr;
    QLabel *m_requestNote = nullptr;
    QPlainTextEdit *m_answer = nullptr;
    QLabel *m_answerNote = nullptr;
    QLabel *m_eventTitle = nullptr;
    WaterfallWidget *m_eventWaterfall = nullptr;
    QTableView *m_eventTable = nullptr;
    TransferListModel *m_eventModel = nullptr;
};

} // namespace Dcs
