#pragma once

#include "dcslistener.h"
#include "httprequestparser.h"
#include "httpresponse.h"

#include <QObject>
#include <QDeadlineTimer>
#include <QPointer>
#include <QTimer>

#include <deque>
#include <memory>

namespace Dcs {

class SocketChannel;
struct ListenerShared;

// One accepted socket on a worker thread: parses its requests in order, hands each to the
// request handler, and writes the answers in request order as they complete (pipelining with
// asynchronous answers). Enforces the idle, slow-request and pipelining limits and closes
// gracefully. Deletes itself after finished().
class HttpConnection final : public QObject
{
    Q_OBJECT
public:
    // Takes `channel` over (it becomes a child).
    HttpConnection(SocketChannel *channel, const DcsListener::Limits &limits,
                   std::shared_ptr<ListenerShared> shared, QObject *parent);
    ~HttpConnection() override;

    // Closes at once, without finished(): the listener is dropping every connection.
    void abortNow();
    // The answer to the request numbered `id` is ready (on this connection's thread).
    void complete(quint64 id, const HttpResponse &response);

Q_SIGNALS:
    void finished();

private:
    enum class TimerPhase { None, Idle, Request, Linger };

    struct Slot
    {
        quint64 id = 0;
        bool keepAlive = true;
        bool headOnly = false;
        bool ready = false;
        QByteArray bytes;
    };

    void processInput();
    void discardWhileClosing();
    void dispatch(const HttpRequest &request);
    void writeReadyAnswers();
    void onBytesWritten();
    void onTimeout();
    void startClosing();
    void halfClose();
    bool flushOutput(); // false: the peer is gone and the connection finished
    void armTimer(TimerPhase phase, int ms);
    void updateTimer();
    void finish();

    SocketChannel *m_channel;
    std::shared_ptr<ListenerShared> m_shared;
    std::shared_ptr<QPointer<HttpConnection>> m_self; // how late answers find us, or not
    QTimer m_timer;
    QDeadlineTimer m_deadline;     // when the current phase's limit runs out
    QDeadlineTimer m_timerFiresAt; // when m_timer, if active, fires
    HttpRequestParser m_parser;
    DcsListener::Limits m_limits;
    QByteArray m_unparsed; // read but held back (too many answers owed), parsed first next time
    std::deque<Slot> m_slots; // answers owed, oldest first
    quint64 m_nextSlotId = 1;
    TimerPhase m_timerPhase = TimerPhase::None;
    bool m_closeAfterAnswers = false; // a request asked for Connection: close
    bool m_closing = false;
    bool m_halfClosed = false;
    bool m_inputEnded = false;      // the client sent the end of its stream
    bool m_processingInput = false; // processInput() is on the stack: do not re-enter it
    bool m_inputHeldBack = false;   // too many answers owed or unsent: not reading meanwhile
    bool m_finished = false;
};

} // namespace Dcs
