import Foundation
import Testing

@testable import AuditReportCore

/// The shipped catalogue held against Notion's 2026 event list (Golden/notion-events-2026.tsv, a
/// copy of the reference). A label or key change is a deliberate change to that copy and to
/// Locales/ together.
@Suite struct CatalogTests {
    struct ReferenceRow {
        var key, category, en, de, inSIEM, since, pairing: String
        var enAlt, deAll, replaces: [String]
    }

    static func split(_ s: String) -> [String] {
        s.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static let reference: [ReferenceRow] = {
        let text = try! String(contentsOf: TestSupport.golden.appendingPathComponent("notion-events-2026.tsv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let de = split(f[4])
            return ReferenceRow(
                key: f[0], category: f[1], en: f[2], de: de.first ?? "", inSIEM: f[5], since: f[6], pairing: f[8],
                enAlt: split(f[3]), deAll: de, replaces: split(f[7]))
        }
    }()

    static var siemKeys: [String] { reference.filter { $0.inSIEM == "yes" }.map(\.key) }

    @Test func everyReferenceKeyIsInTheCatalogueWithCategorySourceAndPairing() {
        let catalog = TestSupport.store.catalog
        #expect(Self.reference.count == 362)
        #expect(Self.siemKeys.count == 240)
        #expect(catalog.eventKeys.sorted() == Self.reference.map(\.key).sorted())
        let sources = ["yes": "siem", "no": "audit-log", "detections": "detections"]
        for row in Self.reference {
            let entry = catalog.entry(row.key)
            #expect(entry?.category == row.category, "\(row.key)")
            #expect(entry?.keySource == sources[row.inSIEM], "\(row.key)")
            #expect(entry?.since == row.since, "\(row.key)")
            #expect(entry?.pairing == (row.pairing.hasPrefix("note:") ? "-" : row.pairing), "\(row.key)")
        }
        // In the order of Notion's category filter.
        #expect(catalog.categories == ["page", "data_source", "workspace", "account", "teamspace", "form", "organization", "workers"])
    }

    @Test func uiLabelsAndEverySpellingEqualNotionsInBothLanguages() throws {
        let en = try TestSupport.store.pack("en")
        let de = try TestSupport.store.pack("de")
        for row in Self.reference {
            let e = try #require(en.events[row.key], "\(row.key)")
            if !row.en.isEmpty {
                #expect(e.ui == row.en, "\(row.key)")
                #expect(e.official, "\(row.key)")
            } else {
                #expect(!e.official, "\(row.key)")
            }
            for alt in row.enAlt { #expect(([e.ui] + e.alt).contains(alt), "\(row.key): \(alt)") }
            let d = try #require(de.events[row.key], "\(row.key)")
            if !row.de.isEmpty {
                #expect(d.ui == row.de, "\(row.key)")
                #expect(d.official, "\(row.key)")
                for label in row.deAll { #expect(([d.ui] + d.alt).contains(label), "\(row.key): \(label)") }
            } else {
                // Written for this tool in Notion's German register, and marked as such.
                #expect(!d.official, "\(row.key)")
                #expect(!d.ui.isEmpty, "\(row.key)")
            }
            for text in [e, d] { #expect(!text.report.isEmpty && !text.description.isEmpty, "\(row.key)") }
        }
    }

    /// A CSV cell with any spelling the reference lists names its key, or a group that holds it.
    @Test func everyLabelOfTheReferenceResolvesToItsKeyOrAGroupHoldingIt() {
        let store = TestSupport.store
        for row in Self.reference {
            for label in [row.en] + row.enAlt + row.deAll where !label.isEmpty {
                let resolved = store.resolveEvent(label)
                let ok = resolved.map { $0 == store.catalog.canonicalKey(row.key) || store.catalog.members(ofGroup: $0).contains(row.key) } ?? false
                #expect(ok, "\(label) → \(resolved ?? "nil"), expected \(row.key)")
            }
        }
        // The labels written for this tool (German where Notion publishes none) never take another key's.
        for language in ["en", "de"] {
            for (key, text) in try! store.pack(language).events where store.catalog.entry(key)?.kind == .event {
                let resolved = store.resolveEvent(text.ui)
                let ok = resolved.map { $0 == store.catalog.canonicalKey(key) || store.catalog.members(ofGroup: $0).contains(key) } ?? false
                #expect(ok, "\(language): \(text.ui) → \(resolved ?? "nil"), expected \(key)")
            }
        }
    }

    @Test func retiredUIKeysReadAsTheKeysThatReplaceThem() {
        let catalog = TestSupport.store.catalog
        var replacements: [String: [String]] = [:]
        for row in Self.reference { for old in row.replaces { replacements[old, default: []].append(row.key) } }
        #expect(replacements.count == 79)
        for (old, keys) in replacements {
            let entry = catalog.entry(old)
            #expect(entry?.isRetired == true, "\(old)")
            if keys.count == 1 {
                #expect(catalog.readKey(old) == keys[0], "\(old)")
                #expect(TestSupport.store.resolveEvent(old) == keys[0], "\(old)")
            } else {
                // Split into finer events: the old key stands for all of them.
                #expect(entry?.kind == .group, "\(old)")
                #expect(Set(catalog.members(ofGroup: old)) == Set(keys), "\(old)")
            }
        }
        #expect(catalog.readKey("ui.page.locked") == "page.locked")
        #expect(catalog.readKey("ui.workspace.hipaa_compliance_enabled") == "workspace.settings.hipaa_compliance_updated")
    }

    @Test func membersOfAGroupHaveSpecificReportLabels() throws {
        let catalog = TestSupport.store.catalog
        let groups = catalog.entries.filter { $0.kind == .group }.map(\.key)
        #expect(groups.count >= 30)
        for language in ["en", "de"] {
            let pack = try TestSupport.store.pack(language)
            for group in groups {
                let reports = catalog.members(ofGroup: group).map { pack.events[$0]!.report }
                #expect(Set(reports).count == reports.count, "\(language) \(group): \(reports)")
                #expect(!reports.contains(pack.events[group]!.report), "\(language) \(group)")
            }
        }
        #expect(catalog.members(ofGroup: "group.page_permission_update").count == 24)
        #expect(catalog.members(ofGroup: "group.database_can_create_pages_permission").count == 12)
        let en = try TestSupport.store.pack("en")
        #expect(en.events["page.permissions.guest_role_added"]?.report == "Guest page permission added")
        #expect(en.events["page.locked"]?.report == "Page locked")
    }

    @Test(arguments: [
        ("Page viewed", "page.viewed"), ("Seite angesehen", "page.viewed"), ("page viewed", "page.viewed"),
        ("Page permission updated", "group.page_permission_update"), ("Page permission update", "group.page_permission_update"),
        ("Aktualisierung der Seitenberechtigung", "group.page_permission_update"),
        ("Email changed", "user.settings.email_updated"), ("E-Mail-Adresse geändert", "user.settings.email_updated"),
        ("IdP metadata XMP removed", "workspace.saml_sso_idp_metadata_xml_removed"),
        ("Guest page permission added", "page.permissions.guest_role_added"),
        ("Workspace creation setting updated", "group.workspace_creation_setting_updated"),
        ("Page lock status changed", "group.page_lock_status_changed"), ("Page locked", "page.locked"), ("Seite gesperrt", "page.locked"),
        ("Page property edited", "page.properties_edited"), ("SAML settings updated", "ui.organization.saml_settings_updated"),
        ("IP allowlist deleted", "ui.organization.ip_allowlist_deleted"), ("ui.page.locked", "page.locked"),
        ("page.viewed", "page.viewed"), ("workspace.new_thing_added", "workspace.new_thing_added"),
    ])
    func exportCellsResolveToKeys(_ text: String, _ key: String) {
        #expect(TestSupport.store.resolveEvent(text) == key)
    }

    @Test func everyGroupNamesMembersAndEverySynonymItsCanonicalKey() {
        let catalog = TestSupport.store.catalog
        for entry in catalog.entries where entry.kind == .group {
            #expect(catalog.members(ofGroup: entry.key).count >= 2, "\(entry.key)")
        }
        #expect(catalog.canonicalKey("user.settings.login_method.email_updated") == "user.settings.email_updated")
    }

    @Test func shippedLanguagesAreComplete() throws {
        let checker = LocaleChecker(store: TestSupport.store)
        #expect(try checker.check("en") == [])
        #expect(try checker.check("de") == [])
        #expect(TestSupport.store.languages == ["de", "en"])
    }

    @Test func checkerReportsMissingExtraAndEmptyEntries() throws {
        let store = try LocaleStore.load(from: TestSupport.localesURL, extraPacks: [TestSupport.fixtures.appendingPathComponent("locales/fr.json")])
        let problems = try LocaleChecker(store: store).check("fr")
        #expect(problems.contains(.init(kind: .missing, item: "events.page.exported")))
        #expect(problems.contains(.init(kind: .missing, item: "strings.column.role")))
        #expect(problems.contains(.init(kind: .missing, item: "categories.account")))
        #expect(!problems.contains { $0.item == "events.page.viewed" || $0.item.hasPrefix("events.page.viewed.ui") })
        // Retired keys are read as their replacements and need no text.
        #expect(!problems.contains { $0.item == "events.ui.page.locked" })
    }

    @Test func unknownKeysGetALabelMadeFromTheKeyWithAMarker() throws {
        let en = try Localizer(store: TestSupport.store, language: "en", timeZone: TestSupport.utc)
        let de = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc)
        #expect(en.eventLabel("workspace.foo_bar_updated") == "Workspace: foo bar updated (not in catalogue)")
        #expect(de.eventLabel("workspace.foo_bar_updated") == "Workspace: foo bar updated (nicht im Katalog)")
        #expect(de.eventLabel("page.brand_new") == "Seite: brand new (nicht im Katalog)")
        #expect(en.eventLabel("Some label") == "Some label (not in catalogue)")
        #expect(en.categoryLabel(ofKey: "datasource.x") == "Other")
        #expect(de.categoryLabel(ofKey: "ui.workers.new_thing") == "Worker")
        #expect(de.categoryLabel(ofKey: "user.login") == "Konto")
    }

    @Test func exportListsEveryShownKeyWithLocalizedHeader() throws {
        let de = try Localizer(store: TestSupport.store, language: "de", timeZone: TestSupport.utc)
        let lines = LocaleChecker.exportTSV(de).split(separator: "\n")
        #expect(lines.count == 1 + TestSupport.store.catalog.shownEntries.count)
        #expect(lines[0] == "Schlüssel\tKategorie\tUI-Bezeichnung\tBerichtsbezeichnung\tBeschreibung\toffiziell")
        #expect(lines.contains("page.viewed\tSeite\tSeite angesehen\tSeite angesehen\tJemand hat eine Seite geöffnet.\tja"))
    }
}
