#pragma once

#include "answerplanner.h"
#include "dcs/httprequestparser.h"

#include <QObject>
#include <QTimer>

#include <deque>
#include <memory>

QT_BEGIN_NAMESPACE
class QTcpSocket;
QT_END_NAMESPACE

namespace Dcs {

class SimulatorState;

// One client connection of the simulator, on a worker thread. Requests are parsed as they
// arrive (keep-alive, pipelining); each one's answer is planned at once and becomes ready when
// its simulated latency has passed (a timer, never a blocked thread). Answers leave in request
// order, each in its planned way: whole, dripped, cut by a reset, replaced by a close, or never.
// Deletes itself after finished().
class SimConnection final : public QObject
{
    Q_OBJECT
public:
    SimConnection(QTcpSocket *socket, std::shared_ptr<SimulatorState> state, QObject *parent);
    ~SimConnection() override;

    // Closes at once: the simulator is shutting down.
    void abortNow();

Q_SIGNALS:
    void finished();

private:
    struct PendingAnswer
    {
        quint64 id = 0;
        bool keepAlive = true;
        bool ready = false; // its latency has passed
        bool inFlight = false; // a partner call, counted in the simulator's in_flight
        Delivery delivery = Delivery::Whole;
        QByteArray bytes;   // the serialized answer
    };

    void processInput();
    void parseAvailableInput();
    bool hasUnparsedInput() const;
    void dispatch(const HttpRequest &request);
    void markReady(quint64 id);
    void deliverReadyAnswers();
    void startDrip(PendingAnswer answer);
    void dripNextByte();
    void resetAfterPartialAnswer(const QByteArray &bytes);
    void resetNow();
    void closeGracefully();
    void answered(bool inFlight);
    void finish();

    QTcpSocket *m_socket;
    std::shared_ptr<SimulatorState> m_state;
    HttpRequestParser m_parser;
    QByteArray m_input;       // the last chunk read from the socket ...
    qsizetype m_inputPos = 0; // ... and how much of it the parser has consumed
    std::deque<PendingAnswer> m_pending; // answers owed, oldest first
    quint64 m_nextId = 1;
    int m_inFlight = 0; // partner calls of this connection counted in the simulator's in_flight
    bool m_fromLoopback = false;

    QTimer m_dripTimer;
    QByteArray m_dripBytes;
    qsizetype m_dripPos = 0;
    bool m_dripKeepAlive = true;
    bool m_dripping = false;

    bool m_stopReading = false; // a request said Connection: close, or could not be parsed
    bool m_closing = false;     // nothing more is written
    bool m_finished = false;
};

} // namespace Dcs
