#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

namespace Dcs {

// Reads one HTTP/1.x answer incrementally from the bytes a partner sends: status line, headers,
// then a body sized by Content-Length, chunked, or (HTTP/1.0 style) running to the close. Every
// size is bounded, so a hostile partner costs at most its limits. Written here rather than
// taken from a library: the bounds and the "how many bytes before it failed" reasons are what
// the transfer log needs, and the answer format is small.
class HttpResponseReader
{
public:
    enum class State { Incomplete, Complete, Failed };

    static constexpr qsizetype MaxHeaderBytes = 16 * 1024;
    static constexpr qsizetype MaxBodyBytes = 64 * 1024; // partner-protocol.md: over 64 KiB is bad

    State feed(QByteArrayView data);
    // The connection closed: completes an answer that runs to the close, fails any other.
    State finishAtClose();
    void reset();

    State state() const { return m_state; }
    int status() const { return m_status; }
    const QByteArray &contentType() const { return m_contentType; }
    const QByteArray &body() const { return m_body; }
    // Status line and headers as received (for the transfer log's sampled answer).
    const QByteArray &head() const { return m_head; }
    bool keepAlive() const { return m_keepAlive; }
    // Failed because the body or the headers were over their limit (a bad answer, not a
    // network error).
    bool overLimit() const { return m_overLimit; }
    const QString &error() const { return m_error; }
    qsizetype bytesReceived() const { return m_bytesReceived; }

private:
    enum class Phase { Head, FixedBody, ChunkSize, ChunkData, ChunkDataEnd, Trailer, ToClose,
                       Done };
    static constexpr qsizetype MaxFramingLineBytes = 1024; // a chunk size or trailer line

    State fail(QString reason, bool overLimit = false);
    bool parseHead(QByteArrayView head);
    State appendBody(QByteArrayView data);

    State m_state = State::Incomplete;
    Phase m_phase = Phase::Head;
    QByteArray m_buffer; // unconsumed bytes of the head or of chunk framing
    QByteArray m_head;
    QByteArray m_body;
    QByteArray m_contentType;
    QString m_error;
    qint64 m_remaining = 0; // of the fixed body or the current chunk
    qsizetype m_bytesReceived = 0;
    qsizetype m_interimHeadBytes = 0; // heads of interim 1xx answers skipped so far
    qsizetype m_trailerBytes = 0;
    int m_status = 0;
    bool m_keepAlive = true;
    bool m_overLimit = false;
};

} // namespace Dcs
