# Messages français du client en ligne de commande `bank`.
# Chaque identifiant doit aussi exister dans en.ftl (un test le vérifie).

## Erreurs
error-invalid-url = « { $url } » n’est pas une URL de serveur ; exemple attendu : http://127.0.0.1:50051.
error-unreachable = Impossible de joindre le service bancaire à { $url } : bank-server y est-il lancé ?
error-unavailable = Le service bancaire à { $url } est indisponible (arrêt en cours ou surcharge) ; réessayez dans un instant.
error-timeout = Le serveur n’a pas répondu à temps (voir --timeout).
error-rejected = Le serveur a refusé la requête : { $reason }
error-invalid-field = Le serveur a refusé la requête : { $field } : { $reason }.
error-server = Le serveur a répondu { $code } : { $reason }
error-input = Impossible de lire { $path } : { $detail }
error-output = Impossible d’écrire la sortie : { $detail }
error-runtime = Démarrage impossible : { $detail }
interrupted = Interrompu.

## bank currencies
currencies-code = Code
currencies-name = Nom
currencies-minor-units = Décimales

## bank convert
convert-result = { $amount } { $from } = { $converted } { $to }
convert-rate = taux { $rate } ({ $from }/{ $to }), tick n° { $sequence } à { $time }

## bank rates
rates-pair = Paire
rates-bid = Achat
rates-mid = Moyen
rates-ask = Vente
rates-header = Tick n° { $sequence } à { $time } · ticks sautés : { $skipped } · Ctrl-C pour arrêter
rates-gap = … { $skipped } tick(s) sauté(s) (ce lecteur a pris du retard) …
rates-quote = { $pair } achat { $bid } moyen { $mid } vente { $ask }

## bank batch
batch-progress = lignes envoyées
batch-counts = Acceptées : { $accepted }, refusées : { $rejected }, lignes mal formées : { $malformed }
batch-rates = Tous les taux du tick n° { $sequence } à { $time }.
batch-totals = Totaux :
batch-items = { $count } élément(s)
batch-problems = Problèmes :
batch-rejected-item = ligne { $line } : { $reason }
batch-malformed-row = ligne { $line } : ligne mal formée : { $reason }
batch-unlisted = … et { $count } autre(s) non listé(s)
batch-row-fields = { $expected } champs attendus, { $found } trouvés
batch-row-encoding = texte UTF-8 invalide
batch-row-unreadable = ligne CSV invalide
batch-bad-delimiter = le séparateur doit être un seul caractère ASCII
batch-incomplete = Le lot n’a pas abouti : { $sent } ligne(s) envoyée(s) et aucun récapitulatif reçu.
batch-partial = { $sent } ligne(s) avaient été envoyées ; aucun total n’est affiché pour un fichier lu en partie

## bank session
session-intro = Saisissez des conversions comme « 100 USD EUR » (éventuellement suivies d’un identifiant) ; Ctrl-D pour terminer.
session-reply = [{ $line }] { $amount } { $from } = { $converted } { $to } (taux { $rate })
session-error = [{ $line }] erreur : { $reason }
session-bad-line = format attendu : MONTANT DE VERS [ID], par exemple 100 USD EUR

## Erreurs du serveur (envoyées en google.rpc.LocalizedMessage et dans ItemError.message)
error-invalid-input = { $field } : { $problem }
error-overflow = le résultat sort de l’intervalle que ce service représente exactement
error-rate-unavailable = aucun taux n’a pu être calculé pour { $pair }
problem-amount-malformed = doit être un nombre décimal simple comme 100 ou 12.50 (des chiffres et au plus un point ; ni signe, ni exposant, ni espace, ni zéro initial)
problem-amount-zero = doit être supérieur à zéro
problem-amount-too-precise = a plus de décimales que { $currency } n’en autorise ({ $minor_units })
problem-amount-too-large = doit être inférieur à 10^15 (un million de milliards) d’unités
problem-currency-malformed = doit être un code ISO 4217 de trois lettres majuscules, comme EUR
problem-currency-unsupported = { $code } n’est pas une devise prise en charge
problem-pair-malformed = l’élément { $index } doit s’écrire DE/VERS avec deux codes de devise, comme EUR/USD
problem-pair-unsupported = l’élément { $index } nomme { $code }, qui n’est pas une devise prise en charge
problem-pair-same = l’élément { $index } doit nommer deux devises différentes
problem-too-many-pairs = au plus { $max } paires peuvent être demandées à la fois
problem-request-id-too-long = ne doit pas dépasser { $max } octets

## bank tour
tour-title = Visite guidée des quatre modèles gRPC, en direct, sur un service de conversion de devises.
tour-embedded = Service bancaire embarqué démarré sur { $addr } (il s’arrête à la fin de la visite).
tour-external = Service bancaire utilisé : { $url }.
tour-heading = ━━ { $number }/{ $total } · { $name } ━━
tour-signature = Dans le contrat (proto/bank/v1/bank.proto) :
tour-live = L’appel en direct, message par message (temps écoulé depuis le début de l’appel) :
tour-arrow-client = client → serveur
tour-arrow-server = serveur → client
tour-seen = Ce que vous venez de voir :
tour-seen-counts = { $sent } message(s) du client, { $received } du serveur.
tour-size-message = Message
tour-size-protobuf = Octets protobuf
tour-size-json = Mêmes données en JSON
tour-size-total = Au total : { $protobuf } octets en protobuf contre { $json } octets en JSON ({ $percent } %).
tour-code = Le code : { $file }
tour-pause = Appuyez sur Entrée pour le modèle suivant…
tour-done = Voilà les quatre modèles. À vous : bank convert, bank rates, bank batch, bank session (bank --help).

tour-unary-name = Unaire
tour-unary-what = Une requête, une réponse : la forme d’un appel de fonction ordinaire, à travers le réseau.
tour-unary-when = À choisir dès que la réponse tient en un message et que le client l’attend : la plupart des API ne font que cela.
tour-unary-example = Ici : convertir 100 USD en EUR. La réponse porte le taux exact appliqué et son tick, pour que le résultat soit vérifiable.
tour-unary-shape = Forme : une flèche dans chaque sens.

tour-server-streaming-name = Flux serveur
tour-server-streaming-what = Une requête, puis un flux de réponses tant que le serveur a quelque chose à dire.
tour-server-streaming-when = À choisir pour les flux et les suivis : cours, journaux, notifications. Pas d’interrogation répétée ; un lecteur lent saute au dernier état au lieu de faire accumuler les anciens par le serveur.
tour-server-streaming-example = Ici : s’abonner à EUR/USD et EUR/XOF et recevoir 4 mises à jour, une par tick (EUR/XOF reste à sa parité fixe, 655,957).
tour-server-streaming-shape = Forme : une requête, puis un flux de mises à jour.

tour-client-streaming-name = Flux client
tour-client-streaming-what = Un flux de requêtes, puis une seule réponse quand le client a fini d’envoyer.
tour-client-streaming-when = À choisir pour les envois et les lots : le client envoie au fil de sa lecture, le serveur agrège au fil de la réception, personne ne garde le fichier entier.
tour-client-streaming-example = Ici : cinq factures converties au même instantané de taux, dont une invalide ; le récapitulatif donne les totaux exacts et la position de l’élément refusé.
tour-client-streaming-shape = Forme : plusieurs requêtes, puis un récapitulatif.

tour-bidi-name = Flux bidirectionnel
tour-bidi-what = Les deux côtés diffusent en même temps sur un seul appel : requêtes et réponses s’entrelacent, chacun à son rythme.
tour-bidi-when = À choisir pour les conversations : messagerie, écrans de marché, une caisse qui convertit chaque vente à la volée.
tour-bidi-example = Ici : quatre conversions envoyées l’une après l’autre ; chaque réponse arrive dès qu’elle est calculée, et une requête invalide reçoit une réponse d’erreur sans interrompre la session.
tour-bidi-shape = Forme : requêtes et réponses entrelacées.

## bank bench
bench-progress = { $elapsed } s / { $planned } s · { $count } { $unit } ({ $rate } dans la dernière seconde)
bench-progress-requests = requêtes
bench-progress-updates = mises à jour
bench-progress-items = éléments envoyés
bench-progress-replies = réponses
bench-requests = Requêtes
bench-throughput = Requêtes par seconde
bench-server-cpu = CPU serveur par appel
bench-latency = Latence
bench-errors = Erreurs
bench-subscribers = Abonnés
bench-pairs = Paires par abonné
bench-updates = Mises à jour reçues
bench-updates-rate = Mises à jour par seconde
bench-skipped = Ticks sautés
bench-server-rss = Mémoire du serveur (RSS) à la fin
bench-server-rss-before = Mémoire du serveur (RSS) avant
bench-lag = Délai de livraison
bench-items = Éléments
bench-duration = Durée
bench-items-rate = Éléments par seconde
bench-rss-growth = Croissance de la mémoire du serveur (pic de RSS)
bench-verified = Totaux vérifiés
bench-yes = oui
bench-no = non
bench-conversions = Conversions
bench-window = Fenêtre (en vol)
bench-conversions-rate = Conversions par seconde
