#include "workspacefile.h"

#include "definitionversions.h"
#include "folderrepository.h"
#include "partnerrepository.h"
#include "segmentrepository.h"
#include "settingsrepository.h"
#include "storage.h"
#include "traitrepository.h"
#include "rules/segmentrule.h"
#include "rules/traitcatalog.h"
#include "rules/traitrule.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>
#include <QSet>
#include <QUuid>

namespace Dcs {

QString WorkspaceReport::summary() const
{
    if (!ok)
        return errors.size() == 1 ? QStringLiteral("1 error")
                                  : QStringLiteral("%1 errors").arg(errors.size());
    const auto part = [](const char *what, const Counts &counts) {
        return QStringLiteral("%1 %2 added, %3 unchanged")
            .arg(QLatin1String(what))
            .arg(counts.added)
            .arg(counts.unchanged);
    };
    return QStringList{part("partners:", partners), part("folders:", folders),
                       part("traits:", traits), part("segments:", segments)}
        .join(QStringLiteral("; "));
}

namespace WorkspaceFile {

namespace {

// "trait 7777T does not exist (rule line 2, column 3)": the rule's own diagnostic, placed.
QString ruleIssue(const RuleDiagnostic &diagnostic)
{
    QString text = diagnostic.text;
    if (diagnostic.line > 0)
        text += QStringLiteral(" (rule line %1, column %2)").arg(diagnostic.line)
                    .arg(diagnostic.column);
    if (!diagnostic.hint.isEmpty())
        text += QStringLiteral("; ") + diagnostic.hint;
    return text;
}


// The file, read and checked on its own (before the database is looked at).
struct ParsedWorkspace
{
    bool usable = false; // a JSON object: worth checking against the database even with errors
    std::optional<WorkspaceSettings> settings;
    QList<Partner> partners;
    QList<QString> partnerSecrets; // inline "secret", parallel to partners
    QList<Folder> folders;
    QList<Trait> traits;
    QList<Segment> segments;
};

void lineAndColumn(const QByteArray &text, qsizetype offset, int *line, int *column)
{
    offset = std::clamp<qsizetype>(offset, 0, text.size());
    *line = 1;
    qsizetype lineStart = 0;
    for (qsizetype i = 0; i < offset; ++i) {
        if (text.at(i) == '\n') {
            ++*line;
            lineStart = i + 1;
        }
    }
    *column = int(QString::fromUtf8(text.mid(lineStart, offset - lineStart)).size()) + 1;
}

template <typename Item, typename ReadOne>
QList<Item> readArray(const QJsonObject &root, const QString &key, QList<JsonIssue> *issues,
                      ReadOne readOne)
{
    QList<Item> items;
    if (!root.contains(key) || root.value(key).isNull())
        return items;
    const QString path = QStringLiteral("$.") + key;
    if (!root.value(key).isArray()) {
        issues->append(JsonIssue{path, QStringLiteral("must be an array")});
        return items;
    }
    const QJsonArray array = root.value(key).toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemPath = path + QStringLiteral("[%1]").arg(i);
        if (!array.at(i).isObject()) {
            issues->append(JsonIssue{itemPath, QStringLiteral("must be an object")});
            items.append(Item{});
            continue;
        }
        items.append(readOne(array.at(i).toObject(), itemPath));
    }
    return items;
}

ParsedWorkspace parse(const QByteArray &json, QList<JsonIssue> *issues)
{
    ParsedWorkspace parsed;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        JsonIssue issue{QStringLiteral("$"),
                        QStringLiteral("not valid JSON: %1").arg(parseError.errorString())};
        // Qt's offset points just past the offending character; at the end of the input (a
        // truncated file) it already points where the missing text should be.
        const qsizetype offset = parseError.offset > 0 && parseError.offset < json.size()
                                     ? parseError.offset - 1
                                     : parseError.offset;
        lineAndColumn(json, offset, &issue.line, &issue.column);
        issues->append(issue);
        return parsed;
    }
    if (!document.isObject()) {
        issues->append(JsonIssue{QStringLiteral("$"),
                                 QStringLiteral("a workspace file is a JSON object")});
        return parsed;
    }
    const QJsonObject root = document.object();
    parsed.usable = true;
    static const QSet<QString> known = {QStringLiteral("format"),   QStringLiteral("settings"),
                                        QStringLiteral("partners"), QStringLiteral("folders"),
                                        QStringLiteral("traits"),   QStringLiteral("segments")};
    for (auto it = root.constBegin(); it != root.constEnd(); ++it) {
        if (!known.contains(it.key()))
            issues->append(JsonIssue{QStringLiteral("$.") + it.key(),
                                     QStringLiteral("unknown field")});
    }
    if (root.value(QStringLiteral("format")).toString() != QLatin1String(kFormat)) {
        issues->append(JsonIssue{QStringLiteral("$.format"),
                                 QStringLiteral("must be \"%1\"").arg(QLatin1String(kFormat))});
    }
    if (root.contains(QStringLiteral("settings"))) {
        const QJsonValue settings = root.value(QStringLiteral("settings"));
        if (!settings.isObject())
            issues->append(JsonIssue{QStringLiteral("$.settings"),
                                     QStringLiteral("must be an object")});
        else
            parsed.settings = DefinitionJson::settingsFromJson(
                settings.toObject(), QStringLiteral("$.settings"), issues);
    }
    parsed.partners = readArray<Partner>(
        root, QStringLiteral("partners"), issues,
        [&](const QJsonObject &object, const QString &path) {
            QString secret;
            Partner partner = DefinitionJson::partnerFromJson(object, path, issues, &secret);
            parsed.partnerSecrets.append(secret);
            return partner;
        });
    while (parsed.partnerSecrets.size() < parsed.partners.size())
        parsed.partnerSecrets.append(QString());
    parsed.folders = readArray<Folder>(root, QStringLiteral("folders"), issues,
                                       [&](const QJsonObject &object, const QString &path) {
                                           return DefinitionJson::folderFromJson(object, path,
                                                                                 issues);
                                       });
    parsed.traits = readArray<Trait>(root, QStringLiteral("traits"), issues,
                                     [&](const QJsonObject &object, const QString &path) {
                                         return DefinitionJson::traitFromJson(object, path,
                                                                              issues);
                                     });
    parsed.segments = readArray<Segment>(root, QStringLiteral("segments"), issues,
                                         [&](const QJsonObject &object, const QString &path) {
                                             return DefinitionJson::segmentFromJson(object, path,
                                                                                    issues);
                                         });
    return parsed;
}

// What import will do with each definition of the file, decided against the database.
struct Plan
{
    QList<bool> addPartner, addFolder, addTrait, addSegment;
};

QString itemPath(const char *array, qsizetype index, const char *field = nullptr)
{
    QString path = QStringLiteral("$.%1[%2]").arg(QLatin1String(array)).arg(index);
    if (field)
        path += QLatin1Char('.') + QLatin1String(field);
    return path;
}

// Decides, for each definition of the file, whether to add it: free id → add; the same id stored
// with an identical definition → unchanged; stored and different → a clash naming both. Also
// reports ids used twice in the file, and runs `checkItem` on each item.
template <typename Item>
QList<bool> planById(const QList<Item> &items, const QList<Item> &storedItems, qint64 Item::*id,
                     const char *array, const char *idField, const char *kind,
                     const std::function<void(const Item &, qsizetype)> &checkItem,
                     WorkspaceReport::Counts *counts, QList<JsonIssue> *issues)
{
    QHash<qint64, Item> stored;
    for (const Item &item : storedItems)
        stored.insert(item.*id, item);
    QHash<qint64, qsizetype> seen;
    QList<bool> add;
    for (qsizetype i = 0; i < items.size(); ++i) {
        const Item &item = items.at(i);
        checkItem(item, i);
        const qint64 key = item.*id;
        if (key != 0 && seen.contains(key))
            issues->append(JsonIssue{itemPath(array, i, idField),
                                     QStringLiteral("also used by $.%1[%2]")
                                         .arg(QLatin1String(array))
                                         .arg(seen.value(key))});
        seen.insert(key, i);
        const auto found = stored.constFind(key);
        if (found == stored.constEnd()) {
            ++counts->added;
            add.append(true);
        } else if (DefinitionJson::toJson(*found) == DefinitionJson::toJson(item)) {
            ++counts->unchanged;
            add.append(false);
        } else {
            issues->append(JsonIssue{itemPath(array, i, idField),
                                     QStringLiteral("%1 %2 (\"%3\" in the file) is taken by %4 %2 "
                                                    "\"%5\" in the workspace")
                                         .arg(QLatin1String(idField))
                                         .arg(key)
                                         .arg(item.name, QLatin1String(kind), found->name)});
            add.append(false);
        }
    }
    return add;
}

Plan plan(QSqlDatabase db, const ParsedWorkspace &file, WorkspaceReport *report)
{
    Plan result;
    QList<JsonIssue> &issues = report->errors;

    // Partners: by DPID, name and integration code, within the file and against the database.
    QHash<qint64, Partner> storedByDpid;
    QHash<QString, Partner> storedByName, storedByCode;
    for (const Partner &partner : PartnerRepository::readAll(db)) {
        storedByDpid.insert(partner.dpid, partner);
        storedByName.insert(partner.name, partner);
        if (!partner.integrationCode.isEmpty())
            storedByCode.insert(partner.integrationCode, partner);
    }
    QHash<qint64, qsizetype> fileDpids;
    QHash<QString, qsizetype> fileNames, fileCodes;
    for (qsizetype i = 0; i < file.partners.size(); ++i) {
        const Partner &partner = file.partners.at(i);
        const auto duplicate = [&](auto &seen, const auto &key, const char *field) {
            if (seen.contains(key)) {
                issues.append(JsonIssue{itemPath("partners", i, field),
                                        QStringLiteral("also used by $.partners[%1]")
                                            .arg(seen.value(key))});
                return true;
            }
            seen.insert(key, i);
            return false;
        };
        duplicate(fileDpids, partner.dpid, "dpid");
        duplicate(fileNames, partner.name, "name");
        if (!partner.integrationCode.isEmpty())
            duplicate(fileCodes, partner.integrationCode, "integration_code");

        std::optional<Partner> stored;
        if (storedByDpid.contains(partner.dpid))
            stored = storedByDpid.value(partner.dpid);
        else if (storedByName.contains(partner.name))
            stored = storedByName.value(partner.name);
        else if (storedByCode.contains(partner.integrationCode))
            stored = storedByCode.value(partner.integrationCode);
        if (!stored) {
            ++report->partners.added;
            result.addPartner.append(true);
            continue;
        }
        result.addPartner.append(false);
        if (DefinitionJson::toJson(*stored) == DefinitionJson::toJson(partner)) {
            ++report->partners.unchanged;
            continue;
        }
        issues.append(JsonIssue{itemPath("partners", i),
                                QStringLiteral("partner \"%1\" (DPID %2) in the file clashes with "
                                               "partner \"%3\" (DPID %4) in the workspace")
                                    .arg(partner.name)
                                    .arg(partner.dpid)
                                    .arg(stored->name)
                                    .arg(stored->dpid)});
    }

    // Folders: ids kept; parents must exist in the file or the database; depth at most 5.
    QHash<qint64, Folder> allFolders;
    for (const Folder &folder : FolderRepository::readAll(db))
        allFolders.insert(folder.id, folder);
    result.addFolder = planById<Folder>(file.folders, allFolders.values(), &Folder::id, "folders",
                                        "id", "folder", [](const Folder &, qsizetype) {},
                                        &report->folders, &issues);
    for (const Folder &folder : file.folders)
        allFolders.insert(folder.id, allFolders.value(folder.id, folder));
    for (qsizetype i = 0; i < file.folders.size(); ++i) {
        const Folder &folder = file.folders.at(i);
        if (folder.parentId && !allFolders.contains(*folder.parentId)) {
            issues.append(JsonIssue{itemPath("folders", i, "parent"),
                                    QStringLiteral("folder %1 does not exist")
                                        .arg(*folder.parentId)});
            continue;
        }
        const int depth = FolderRepository::depthOf(folder, allFolders);
        if (depth < 0)
            issues.append(JsonIssue{itemPath("folders", i, "parent"),
                                    QStringLiteral("folders form a cycle")});
        else if (depth > FolderRepository::kMaxDepth)
            issues.append(JsonIssue{itemPath("folders", i, "parent"),
                                    QStringLiteral("folders nest at most %1 levels deep; this "
                                                   "one is at level %2")
                                        .arg(FolderRepository::kMaxDepth)
                                        .arg(depth)});
    }

    // Traits and segments: sids kept when free; folders must exist.
    const auto checkFolder = [&](const char *array, qint64 folderId, qsizetype i) {
        if (!allFolders.contains(folderId))
            issues.append(JsonIssue{itemPath(array, i, "folder"),
                                    QStringLiteral("folder %1 does not exist").arg(folderId)});
    };
    const QList<Trait> storedTraits = TraitRepository::readAll(db);
    result.addTrait = planById<Trait>(
        file.traits, storedTraits, &Trait::sid, "traits", "sid", "trait",
        [&](const Trait &trait, qsizetype i) {
            checkFolder("traits", trait.folderId, i);
            if (trait.type == Trait::Type::Folder || trait.rule.trimmed().isEmpty())
                return; // reported by the reader already
            const TraitRuleParse parsed = TraitRule::compile(trait.rule);
            if (!parsed.ok())
                issues.append(JsonIssue{itemPath("traits", i, "rule"),
                                        ruleIssue(parsed.diagnostics.first())});
        },
        &report->traits, &issues);

    QSet<qint64> allTraitSids;
    for (const QList<Trait> *traits : {&storedTraits, &file.traits}) {
        for (const Trait &trait : *traits)
            allTraitSids.insert(trait.sid);
    }
    // Segment rules are compiled against every trait the workspace will have: syntax, names
    // of traits, and the rules.md refusals, each with its line and column.
    QList<Trait> allTraits = storedTraits;
    allTraits += file.traits;
    const TraitTypeCatalog catalog(allTraits);
    const auto checkSegment = [&](const Segment &segment, qsizetype i) {
        checkFolder("segments", segment.folderId, i);
        // Every problem of a rule that parses (each unknown trait, each refusal), not just the
        // first: one pass over the file shows everything to fix.
        RuleDiagnostic syntax;
        const std::optional<SegmentRule> parsed = SegmentRule::parse(segment.rule, &syntax);
        const QList<RuleDiagnostic> problems =
            parsed ? parsed->validate(catalog) : QList<RuleDiagnostic>{syntax};
        for (const RuleDiagnostic &problem : problems)
            issues.append(JsonIssue{itemPath("segments", i, "rule"), ruleIssue(problem)});
    };
    result.addSegment = planById<Segment>(file.segments, SegmentRepository::readAll(db),
                                          &Segment::sid, "segments", "sid", "segment",
                                          checkSegment, &report->segments, &issues);
    return result;
}

bool apply(WriteContext &context, const ParsedWorkspace &file, const Plan &plan,
           const QString &author, SecretStore &secrets, QStringList *storedSecretRefs,
           QString *error)
{
    if (file.settings && !SettingsRepository::write(context, *file.settings, error))
        return false;
    for (qsizetype i = 0; i < file.partners.size(); ++i) {
        if (!plan.addPartner.at(i))
            continue;
        Partner partner = file.partners.at(i);
        QString secretRef;
        if (!file.partnerSecrets.at(i).isEmpty()) {
            secretRef = QStringLiteral("partner-")
                        + QUuid::createUuid().toString(QUuid::WithoutBraces);
            if (!secrets.store(secretRef, file.partnerSecrets.at(i).toUtf8(), error))
                return false;
            storedSecretRefs->append(secretRef);
        }
        if (!PartnerRepository::write(context, partner, secretRef, error))
            return false;
    }
    // Parents before children: insert folders in dependency order.
    QList<Folder> pending;
    for (qsizetype i = 0; i < file.folders.size(); ++i) {
        if (plan.addFolder.at(i))
            pending.append(file.folders.at(i));
    }
    QSet<qint64> pendingIds;
    for (const Folder &folder : std::as_const(pending))
        pendingIds.insert(folder.id);
    while (!pending.isEmpty()) {
        const auto ready = std::find_if(pending.begin(), pending.end(), [&](const Folder &f) {
            return !f.parentId || !pendingIds.contains(*f.parentId);
        });
        if (ready == pending.end()) {
            *error = QStringLiteral("folders form a cycle");
            return false;
        }
        Folder folder = *ready;
        pendingIds.remove(folder.id);
        pending.erase(ready);
        if (!FolderRepository::write(context, folder, true, error))
            return false;
    }
    for (qsizetype i = 0; i < file.traits.size(); ++i) {
        Trait trait = file.traits.at(i);
        if (plan.addTrait.at(i) && !TraitRepository::write(context, trait, author, error))
            return false;
    }
    for (qsizetype i = 0; i < file.segments.size(); ++i) {
        Segment segment = file.segments.at(i);
        if (plan.addSegment.at(i) && !SegmentRepository::write(context, segment, author, error))
            return false;
    }
    return true;
}

// "$.traits[3].rule" -> "$.traits[3]": the item an error belongs to.
QString itemOf(const QString &path)
{
    const qsizetype close = path.indexOf(QLatin1Char(']'));
    return close < 0 ? path : path.left(close + 1);
}

WorkspaceReport run(Storage &storage, const QByteArray &json, const QString &author,
                    bool applyChanges)
{
    WorkspaceReport report;
    const ParsedWorkspace file = parse(json, &report.errors);
    if (!file.usable)
        return report;

    // The file's own errors and the ones found against the database are reported together, so
    // that one pass shows everything to fix; an item with an error of its own gets no follow-on
    // errors (a missing "folder" would also read as "folder 0 does not exist").
    const QList<JsonIssue> fileErrors = report.errors;
    QSet<QString> itemsWithErrors;
    for (const JsonIssue &issue : fileErrors)
        itemsWithErrors.insert(itemOf(issue.path));

    auto storedSecretRefs = std::make_shared<QStringList>();
    const WorkspaceReport reportBefore = report;
    const WriteResult result = storage.writer().runAndWait(
        [&](WriteContext &context, QString *error) {
            // A job can run twice (WriteJob): drop what a rolled-back first run stored.
            QString ignored;
            for (const QString &ref : std::as_const(*storedSecretRefs))
                storage.secrets().remove(ref, &ignored);
            storedSecretRefs->clear();
            report = reportBefore;
            report.errors.clear();
            const Plan decided = plan(context.database(), file, &report);
            QList<JsonIssue> all = fileErrors;
            for (const JsonIssue &issue : std::as_const(report.errors)) {
                if (!itemsWithErrors.contains(itemOf(issue.path)))
                    all.append(issue);
            }
            report.errors = all;
            if (!report.errors.isEmpty()) {
                *error = QStringLiteral("the workspace file has errors");
                return false;
            }
            if (!applyChanges) {
                *error = QStringLiteral("check only");
                return false; // rolls back: a check never changes anything
            }
            return apply(context, file, decided, author, storage.secrets(),
                         storedSecretRefs.get(), error);
        });
    if (!result.ok && applyChanges) {
        QString ignored;
        for (const QString &ref : std::as_const(*storedSecretRefs))
            storage.secrets().remove(ref, &ignored);
        if (report.errors.isEmpty())
            report.errors.append(JsonIssue{QStringLiteral("$"), result.error});
    }
    report.ok = report.errors.isEmpty();
    return report;
}

WorkspaceReport unreadable(const QString &path, const QString &why)
{
    WorkspaceReport report;
    report.errors.append(
        JsonIssue{QStringLiteral("$"), QStringLiteral("cannot read %1: %2").arg(path, why)});
    return report;
}

} // namespace

QByteArray exportJson(Storage &storage)
{
    QSqlDatabase db = storage.reader();
    const auto toArray = [](const auto &items) {
        QJsonArray array;
        for (const auto &item : items)
            array.append(DefinitionJson::toJson(item));
        return array;
    };
    const QJsonObject root{
        {QStringLiteral("format"), QLatin1String(kFormat)},
        {QStringLiteral("settings"), DefinitionJson::toJson(SettingsRepository::read(db))},
        {QStringLiteral("partners"), toArray(PartnerRepository::readAll(db))},
        {QStringLiteral("folders"), toArray(FolderRepository::readAll(db))},
        {QStringLiteral("traits"), toArray(TraitRepository::readAll(db))},
        {QStringLiteral("segments"), toArray(SegmentRepository::readAll(db))},
    };
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

WorkspaceReport check(Storage &storage, const QByteArray &json)
{
    return run(storage, json, {}, false);
}

WorkspaceReport import(Storage &storage, const QByteArray &json, const QString &author)
{
    return run(storage, json, author, true);
}

WorkspaceReport checkFile(Storage &storage, const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return unreadable(path, file.errorString());
    return check(storage, file.readAll());
}

WorkspaceReport importFile(Storage &storage, const QString &path, const QString &author)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return unreadable(path, file.errorString());
    return import(storage, file.readAll(), author);
}

bool exportFile(Storage &storage, const QString &path, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    file.write(exportJson(storage));
    if (!file.commit()) {
        *error = QStringLiteral("cannot save %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

} // namespace WorkspaceFile
} // namespace Dcs
