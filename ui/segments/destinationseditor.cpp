#include "destinationseditor.h"

#include "rules/rulesnapshot.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QStyle>
#include <QTableWidget>
#include <QToolButton>
#include <QUrl>
#include <QVBoxLayout>

namespace Dcs {

namespace {

// Limits of the workspace file (DefinitionJson), so a saved segment exports and imports.
constexpr int kMaxCookieKey = 64;
constexpr int kMaxCookieValue = 1024;
constexpr int kMaxUrl = 2048;
constexpr int kExampleColumn = 1;

struct Macro
{
    const char *name;
    const char *meaning;
};

constexpr Macro kMacros[] = {
    {"%ALIAS%", QT_TRANSLATE_NOOP("Dcs::DestinationsEditor",
                                  "the segment's integration code, or its SID without one")},
    {"%did%", QT_TRANSLATE_NOOP("Dcs::DestinationsEditor", "the visitor's UUID")},
    {"%rnd%", QT_TRANSLATE_NOOP("Dcs::DestinationsEditor", "a random number per call")},
    {"%timestamp%", QT_TRANSLATE_NOOP("Dcs::DestinationsEditor", "Unix time in seconds")},
};

QString cellText(const QTableWidget *table, int row, int column)
{
    const QTableWidgetItem *item = table->item(row, column);
    return item ? item->text() : QString();
}

QTableWidget *makeTable(const QString &objectName, const QStringList &headers,
                        const QString &accessibleName)
{
    auto *table = new QTableWidget(0, int(headers.size()));
    table->setObjectName(objectName);
    table->setAccessibleName(accessibleName);
    table->setHorizontalHeaderLabels(headers);
    table->horizontalHeader()->setStretchLastSection(true);
    table->verticalHeader()->hide();
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setEditTriggers(QAbstractItemView::AllEditTriggers);
    return table;
}

QToolButton *makeButton(const QString &objectName, const QString &text,
                        QStyle::StandardPixmap icon,
                        const QString &tip)
{
    auto *button = new QToolButton;
    button->setObjectName(objectName);
    button->setText(text);
    button->setIcon(button->style()->standardIcon(icon));
    button->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    button->setToolTip(tip);
    return button;
}

// The words between % signs that are not macros: sent as written, most likely a typo.
QStringList unknownMacros(const QString &url)
{
    QStringList unknown;
    for (const UrlTemplatePart &part : RulesSnapshot::parseUrlTemplate(url)) {
        if (part.kind != UrlTemplatePart::Kind::Text)
            continue;
        qsizetype at = 0;
        while ((at = part.text.indexOf(u'%', at)) >= 0) {
            const qsizetype close = part.text.indexOf(u'%', at + 1);
            if (close < 0)
                break;
            const QString word = part.text.mid(at + 1, close - at - 1);
            bool letters = !word.isEmpty();
            for (const QChar ch : word)
                letters = letters && (ch.isLetter() || ch == u'_');
            if (letters) {
                unknown.append(u'%' + word + u'%');
                at = close + 1;
            } else {
                at = at + 1;
            }
        }
    }
    return unknown;
}

} // namespace

DestinationsEditor::DestinationsEditor(QWidget *parent)
    : QWidget(parent)
{
    setObjectName(QStringLiteral("destinationsEditor"));

    auto *cookieTitle = new QLabel(tr("<b>Cookie destinations</b>: sent in the answer's "
                                      "<tt>stuff</tt> as key=value"));
    m_cookies = makeTable(QStringLiteral("cookieTable"), {tr("Key"), tr("Value")},
                          tr("Cookie destinations"));
    m_cookies->horizontalHeader()->resizeSection(0, 160);
    auto *addCookie = makeButton(QStringLiteral("addCookieButton"), tr("Add Cookie"),
                                 QStyle::SP_FileDialogNewFolder,
                                 tr("Add a key/value pair for the answer's cookie"));
    auto *removeCookie = makeButton(QStringLiteral("removeCookieButton"), tr("Remove"),
                                    QStyle::SP_DialogDiscardButton,
                                    tr("Remove the selected cookie destination"));
    connect(addCookie, &QToolButton::clicked, this, &DestinationsEditor::addCookie);
    connect(removeCookie, &QToolButton::clicked, this, [this] {
        if (m_cookies->currentRow() >= 0) {
            m_cookies->removeRow(m_cookies->currentRow());
            refresh();
            Q_EMIT edited();
        }
    });

    auto *urlTitle = new QLabel(tr("<b>URL destinations</b>: sent in <tt>dests</tt> (with "
                                   "d_dst=1), macros expanded per call"));
    m_urls = makeTable(QStringLiteral("urlTable"), {tr("URL template"), tr("Example")},
                       tr("URL destinations"));
    m_urls->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_urls->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    auto *addUrl = makeButton(QStringLiteral("addUrlButton"), tr("Add URL"),
                              QStyle::SP_FileDialogNewFolder,
                              tr("Add a URL template, e.g. https://ads.example/px?s=%ALIAS%"));
    auto *removeUrl = makeButton(QStringLiteral("removeUrlButton"), tr("Remove"),
                                 QStyle::SP_DialogDiscardButton,
                                 tr("Remove the selected URL destination"));
    connect(addUrl, &QToolButton::clicked, this, &DestinationsEditor::addUrl);
    connect(removeUrl, &QToolButton::clicked, this, [this] {
        if (m_urls->currentRow() >= 0) {
            m_urls->removeRow(m_urls->currentRow());
            refresh();
            Q_EMIT edited();
        }
    });
    auto *macroButton = new QToolButton;
    macroButton->setObjectName(QStringLiteral("insertMacroButton"));
    macroButton->setText(tr("Insert Macro"));
    macroButton->setToolTip(tr("Append a macro to the selected URL"));
    macroButton->setPopupMode(QToolButton::InstantPopup);
    auto *macroMenu = new QMenu(macroButton);
    QStringList legend;
    for (const Macro &macro : kMacros) {
        const QString name = QString::fromLatin1(macro.name);
        const QString meaning = tr(macro.meaning);
        QAction *action = macroMenu->addAction(tr("%1 — %2").arg(name, meaning));
        connect(action, &QAction::triggered, this, [this, name] { insertMacro(name); });
        legend.append(tr("<tt>%1</tt> %2").arg(name, meaning.toHtmlEscaped()));
    }
    macroButton->setMenu(macroMenu);
    auto *macroLegend = new QLabel(tr("Macros: %1. Examples use sample values.")
                                       .arg(legend.join(QStringLiteral("; "))));
    macroLegend->setWordWrap(true);
    macroLegend->setForegroundRole(QPalette::PlaceholderText);

    m_issuesLabel = new QLabel;
    m_issuesLabel->setObjectName(QStringLiteral("destinationIssues"));
    m_issuesLabel->setWordWrap(true);
    m_issuesLabel->setTextFormat(Qt::PlainText);

    auto *cookieButtons = new QHBoxLayout;
    cookieButtons->addWidget(addCookie);
    cookieButtons->addWidget(removeCookie);
    cookieButtons->addStretch();
    auto *urlButtons = new QHBoxLayout;
    urlButtons->addWidget(addUrl);
    urlButtons->addWidget(removeUrl);
    urlButtons->addWidget(macroButton);
    urlButtons->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(cookieTitle);
    layout->addWidget(m_cookies, 1);
    layout->addLayout(cookieButtons);
    layout->addSpacing(6);
    layout->addWidget(urlTitle);
    layout->addWidget(m_urls, 1);
    layout->addLayout(urlButtons);
    layout->addWidget(macroLegend);
    layout->addWidget(m_issuesLabel);

    for (QTableWidget *table : {m_cookies, m_urls}) {
        connect(table, &QTableWidget::itemChanged, this, [this] {
            if (m_filling)
                return;
            refresh();
            Q_EMIT edited();
        });
    }
    refresh();
}

void DestinationsEditor::setDestinations(const QList<Destination> &destinations)
{
    m_filling = true;
    m_cookies->setRowCount(0);
    m_urls->setRowCount(0);
    for (const Destination &destination : destinations) {
        if (destination.type == Destination::Type::Cookie) {
            const int row = m_cookies->rowCount();
            m_cookies->insertRow(row);
            m_cookies->setItem(row, 0, new QTableWidgetItem(destination.key));
            m_cookies->setItem(row, 1, new QTableWidgetItem(destination.value));
        } else {
            const int row = m_urls->rowCount();
            m_urls->insertRow(row);
            m_urls->setItem(row, 0, new QTableWidgetItem(destination.url));
        }
    }
    m_filling = false;
    refresh();
}

QList<Destination> DestinationsEditor::destinations() const
{
    QList<Destination> result;
    for (int row = 0; row < m_cookies->rowCount(); ++row) {
        const QString key = cellText(m_cookies, row, 0).trimmed();
        const QString value = cellText(m_cookies, row, 1).trimmed();
        if (key.isEmpty() && value.isEmpty())
            continue;
        result.append(Destination{Destination::Type::Cookie, key, value, QString()});
    }
    for (int row = 0; row < m_urls->rowCount(); ++row) {
        const QString url = cellText(m_urls, row, 0).trimmed();
        if (!url.isEmpty())
            result.append(Destination{Destination::Type::Url, QString(), QString(), url});
    }
    return result;
}

void DestinationsEditor::setAlias(const QString &alias)
{
    if (alias == m_alias)
        return;
    m_alias = alias;
    refresh();
}

QString DestinationsEditor::renderUrl(const QString &urlTemplate, const QString &alias,
                                      const QString &visitorId, qint64 random, qint64 nowMs)
{
    // As the qualifier expands it (RulesSnapshot::parseUrlTemplate, then concatenation).
    QString url;
    for (const UrlTemplatePart &part : RulesSnapshot::parseUrlTemplate(urlTemplate)) {
        switch (part.kind) {
        case UrlTemplatePart::Kind::Text: url += part.text; break;
        case UrlTemplatePart::Kind::Alias:
            url += QString::fromLatin1(QUrl::toPercentEncoding(alias));
            break;
        case UrlTemplatePart::Kind::VisitorId: url += visitorId; break;
        case UrlTemplatePart::Kind::Random: url += QString::number(random); break;
        case UrlTemplatePart::Kind::Timestamp:
            url += QString::number(QDateTime::fromMSecsSinceEpoch(nowMs).toSecsSinceEpoch());
            break;
        }
    }
    return url;
}

QString DestinationsEditor::exampleFor(const QString &urlTemplate) const
{
    return renderUrl(urlTemplate.trimmed(), m_alias, QString::fromLatin1(kSampleVisitorId),
                     kSampleRandom, QDateTime::currentMSecsSinceEpoch());
}

void DestinationsEditor::addCookie()
{
    m_filling = true;
    const int row = m_cookies->rowCount();
    m_cookies->insertRow(row);
    m_cookies->setItem(row, 0, new QTableWidgetItem(QStringLiteral("seg")));
    m_cookies->setItem(row, 1, new QTableWidgetItem);
    m_filling = false;
    m_cookies->setCurrentCell(row, 1);
    if (m_cookies->isVisible())
        m_cookies->editItem(m_cookies->item(row, 1));
    refresh();
    Q_EMIT edited();
}

void DestinationsEditor::addUrl()
{
    m_filling = true;
    const int row = m_urls->rowCount();
    m_urls->insertRow(row);
    m_urls->setItem(row, 0, new QTableWidgetItem(QStringLiteral("https://")));
    m_filling = false;
    m_urls->setCurrentCell(row, 0);
    if (m_urls->isVisible())
        m_urls->editItem(m_urls->item(row, 0));
    refresh();
    Q_EMIT edited();
}

void DestinationsEditor::insertMacro(const QString &macro)
{
    const int row = m_urls->currentRow();
    if (row < 0)
        return;
    QTableWidgetItem *item = m_urls->item(row, 0);
    if (!item) {
        item = new QTableWidgetItem;
        m_urls->setItem(row, 0, item);
    }
    item->setText(item->text() + macro); // itemChanged: refreshed and edited()
}

void DestinationsEditor::refresh()
{
    m_issues.clear();
    for (int row = 0; row < m_cookies->rowCount(); ++row) {
        const QString key = cellText(m_cookies, row, 0).trimmed();
        const QString value = cellText(m_cookies, row, 1).trimmed();
        if (key.isEmpty() && value.isEmpty())
            continue;
        const int number = row + 1;
        if (value.isEmpty())
            m_issues.append(tr("Cookie %1: the value is empty").arg(number));
        if (key.size() > kMaxCookieKey)
            m_issues.append(tr("Cookie %1: the key is longer than %2 characters")
                                .arg(number)
                                .arg(kMaxCookieKey));
        if (value.size() > kMaxCookieValue)
            m_issues.append(tr("Cookie %1: the value is longer than %2 characters")
                                .arg(number)
                                .arg(kMaxCookieValue));
        // The cookie's value is "key=v1,v2&key2=v3": these would split it in the wrong place.
        for (const QChar ch : {u'=', u'&', u','}) {
            if (key.contains(ch) || value.contains(ch)) {
                m_issues.append(tr("Cookie %1: \"%2\" would break the cookie's "
                                   "key=value,value&key=value list")
                                    .arg(number)
                                    .arg(ch));
            }
        }
    }
    m_filling = true;
    for (int row = 0; row < m_urls->rowCount(); ++row) {
        const QString url = cellText(m_urls, row, 0).trimmed();
        const int number = row + 1;
        QString example;
        if (!url.isEmpty()) {
            const QStringList unknown = unknownMacros(url);
            if (!url.startsWith(QLatin1String("http://"))
                && !url.startsWith(QLatin1String("https://")))
                m_issues.append(tr("URL %1: must start with http:// or https://").arg(number));
            else if (unknown.isEmpty() && !QUrl(exampleFor(url), QUrl::StrictMode).isValid())
                m_issues.append(tr("URL %1: the example is not a valid URL").arg(number));
            if (url.size() > kMaxUrl)
                m_issues.append(tr("URL %1: longer than %2 characters").arg(number).arg(kMaxUrl));
            if (!unknown.isEmpty())
                m_issues.append(tr("URL %1: %2 is not a macro and is sent as written (macros: "
                                   "%ALIAS%, %did%, %rnd%, %timestamp%)")
                                    .arg(number)
                                    .arg(unknown.join(tr(", "))));
            example = exampleFor(url);
        }
        QTableWidgetItem *item = m_urls->item(row, kExampleColumn);
        if (!item) {
            item = new QTableWidgetItem;
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
            m_urls->setItem(row, kExampleColumn, item);
        }
        item->setText(example);
        item->setToolTip(example);
    }
    m_filling = false;
    m_issuesLabel->setText(m_issues.isEmpty() ? QString() : m_issues.join(u'\n'));
    m_issuesLabel->setVisible(!m_issues.isEmpty());
    QPalette colours = m_issuesLabel->palette();
    colours.setColor(QPalette::WindowText, QColor(200, 40, 40));
    m_issuesLabel->setPalette(colours);
}

} // namespace Dcs
