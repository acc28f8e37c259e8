import type { Catalog } from './en.js';

/** Spanish. The type makes a missing or extra key a compile error. */
export const es: Catalog = {
  'app.name': 'Rhizome',
  'app.skip': 'Saltar al contenido',
  'app.loading': 'Cargando…',
  'app.language': 'Idioma',
  'app.nav': 'Principal',
  'app.error': 'Algo salió mal: {detail}',
  'app.offline': 'No se puede conectar con Rhizome. Revisa tu conexión e inténtalo de nuevo.',

  'nav.people': 'Personas',
  'nav.signOut': 'Cerrar sesión',
  'nav.signedInAs': 'Sesión de {email}',

  'signIn.title': 'Iniciar sesión',
  'signIn.org': 'Organización',
  'signIn.orgHint': 'El nombre corto de tu organización en Rhizome, como eastside',
  'signIn.email': 'Correo electrónico',
  'signIn.password': 'Contraseña',
  'signIn.submit': 'Entrar',
  'signIn.busy': 'Entrando…',
  'signIn.failed': 'La organización, el correo y la contraseña no coinciden. Revísalos e inténtalo de nuevo.',
  'signIn.limited': 'Demasiados intentos. Espera un minuto y vuelve a intentarlo.',
  'signIn.expired': 'Tu sesión terminó. Vuelve a iniciar sesión.',

  'search.title': 'Personas',
  'search.q': 'Nombre o correo',
  'search.tag': 'Etiqueta',
  'search.list': 'Lista',
  'search.unit': 'Unidad',
  'search.zip': 'Código postal',
  'search.any': 'Cualquiera',
  'search.submit': 'Buscar',
  'search.clear': 'Borrar',
  'search.filters': 'Filtros',
  'search.total_one': '{count} persona',
  'search.total_other': '{count} personas',
  'search.none': 'Nadie coincide. Prueba con menos filtros.',
  'search.results': 'Resultados',
  'search.page': 'Página {page} de {pages}',
  'search.previous': 'Anterior',
  'search.next': 'Siguiente',
  'search.paging': 'Páginas',
  'search.invalid': 'Revisa el filtro marcado: {detail}',

  'person.noName': 'Nombre no visible',
  'person.notFound': 'Esta persona no existe o no tienes acceso a ella.',
  'person.back': 'Volver a personas',
  'person.details': 'Datos',
  'person.pronouns': 'Pronombres',
  'person.language': 'Idioma preferido',
  'person.birthdate': 'Fecha de nacimiento',
  'person.homeUnit': 'Unidad',
  'person.tags': 'Etiquetas',
  'person.noTags': 'Sin etiquetas',
  'person.emails': 'Correos electrónicos',
  'person.phones': 'Teléfonos',
  'person.addresses': 'Direcciones',
  'person.customFields': 'Otros campos',
  'person.none': 'Ninguno',
  'person.primary': 'principal',
  'person.masked': 'oculto',
  'person.maskedHelp': 'Puedes contactar a esta persona a través de Rhizome, pero no ver este dato.',
  'person.source': 'de {source}, {date}',
  'person.source.import': 'una importación',
  'person.source.api': 'la API',
  'person.source.user': 'una persona usuaria',
  'person.source.form': 'un formulario',
  'person.source.signup': 'una inscripción',
  'person.source.system': 'Rhizome',
  'person.source.merge': 'una fusión',
  'person.source.partner': 'una organización aliada',
  'person.flag.doNotContact': 'No contactar',
  'person.flag.sensitive': 'Registro sensible',
  'person.flag.legalHold': 'Retención legal',
  'person.actions': 'Contactar a esta persona',
  'person.message': 'Mensaje',
  'person.call': 'Llamar',
  'person.actionSoon': 'Pronto podrás enviar mensajes y hacer llamadas desde Rhizome.',
  'person.timeline': 'Historial',
  'person.timelineEmpty': 'Aún no hay nada registrado.',
  'person.more': 'Ver más',
  'person.note': 'Nota',
  'person.activity.note': 'Nota',
  'person.activity.one_on_one': 'Conversación uno a uno',
  'person.activity.call': 'Llamada',
  'person.activity.door_knock': 'Visita puerta a puerta',
  'person.activity.meeting': 'Reunión',
  'person.activity.other': 'Actividad',
  'person.outcome': 'Resultado: {outcome}',

  'notFound.title': 'Página no encontrada',
  'notFound.body': 'No hay nada en esta dirección.',

  // catalog: imports

  // catalog: organizing

  // catalog: events

  // catalog: admin

  // catalog: field

  // catalog: public

  // catalog: dayofaction
};
